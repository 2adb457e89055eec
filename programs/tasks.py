"""Background work. Emails never carry case content: only a nudge to open the caseload."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_staff_email(*, user_ids: list[int], template: str, context: dict) -> int:
    """Send one plain-text email per person from templates/emails/<template>.txt."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    # Names are one line: a line break typed into one (a program's name) must neither cut
    # the subject short nor spill into the body, and a bare CR would make the send fail.
    context = {
        key: re.sub(r"[\r\n]+", " ", value) if isinstance(value, str) else value
        for key, value in context.items()
    }
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            body = render_to_string(
                f"emails/{template}.txt",
                {**context, "base_url": settings.TOOLKIT_BASE_URL, "user": user},
            )
            subject, _sep, text = body.partition("\n")
            messages.append(
                (subject.strip(), text.strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
            )
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@task()
def route_case(*, case_id: str) -> None:
    """Route a new request after intake: auto-assign, no-match and the coordinators' nudge.

    Only the request's id travels in the queue (never its text). Running it again for the
    same request does nothing more: the row is locked and only a request still waiting in
    the queue is routed, so a retried or doubled task cannot offer it twice.
    """
    from .models import Case
    from .services import cases

    with transaction.atomic():
        status = (
            Case.objects.select_for_update()
            .filter(pk=case_id)
            .values_list("status", flat=True)
            .first()
        )
        if status != Case.Status.QUEUED:
            return
        cases.case_route(case_id=case_id)
