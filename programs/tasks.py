"""Background email. Emails never carry case content: only a nudge to open the caseload.

Routing a new case runs in the background too: its task is `services.cases.route_case`,
beside the service it runs, so that the services can enqueue it without a circle."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task
from django_tasks.utils import normalize_json
from django_tasks_db.models import DBTaskResult


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


_validated: set[tuple] = set()


def queued_row(task, **kwargs):
    """The row the database queue (django-tasks-db's DatabaseBackend) keeps for
    `task.enqueue(**kwargs)`, built but not saved: the intake writes it in its own statement
    with the case (toolkit.database.write_together). Its fields are those the backend's
    enqueue gives it (django-tasks-db 0.13.0, pinned; tests/programs/test_intake_background.py
    compares the two rows), and a worker runs it as any other. Unlike enqueue, it sends no
    `task_enqueued` signal (whose one receiver logs at debug level)."""
    backend = task.get_backend()
    if (backend.alias, task) not in _validated:  # a task's validity cannot change
        backend.validate_task(task)
        _validated.add((backend.alias, task))
    plain = all(type(key) is str and type(value) is str for key, value in kwargs.items())
    return DBTaskResult(
        id=backend._get_id(),
        # Text as it is (what normalize_json would give), anything else normalised.
        args_kwargs={"args": [], "kwargs": kwargs}
        if plain
        else normalize_json({"args": [], "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,
        backend_name=backend.alias,
    )
