"""The send screen of a newsletter issue: a test to oneself, the real send, its progress."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cms.models import NewsletterIssuePage
from programs.models import Program

from . import services


def _send_at(value: str | None):
    """A time typed in the form's local-time field, in the site's time zone."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError(
            _("Enter the date and time to send, e.g. 2026-12-10 09:00.")
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@require_http_methods(["GET", "POST"])
def send(request, page_id):
    issue = get_object_or_404(NewsletterIssuePage, pk=page_id)
    program = services.issue_program(issue)
    if not services.user_can_see_counts(request.user, program):
        raise Http404
    may_send = services.user_can_send(request.user, program)
    if request.method == "POST":
        if not may_send:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "test":
                services.issue_send_test(issue=issue, actor=request.user)
                messages.success(
                    request, _("A test was sent to %(email)s.") % {"email": request.user.email}
                )
            elif action == "send":
                count = services.issue_send(issue=issue, actor=request.user)
                messages.success(
                    request,
                    _("Sending to %(count)s subscribers has started.") % {"count": count},
                )
            elif action == "schedule":
                scheduled = services.issue_schedule(
                    issue=issue, actor=request.user, send_at=_send_at(request.POST.get("send_at"))
                )
                messages.success(
                    request,
                    _("The issue will be sent on %(when)s.")
                    % {
                        "when": date_format(
                            timezone.localtime(scheduled.send_at), "DATETIME_FORMAT"
                        )
                    },
                )
            elif action == "unschedule":
                if services.issue_unschedule(issue=issue, actor=request.user):
                    messages.success(request, _("The scheduled send is cancelled."))
            elif action == "resume":
                count = services.issue_send_resume(issue=issue, actor=request.user)
                messages.success(
                    request, _("%(count)s pending messages queued again.") % {"count": count}
                )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("newsletter_send", page_id=issue.pk)
    progress = services.issue_progress(issue=issue)
    return TemplateResponse(
        request,
        "newsletter/admin/send.html",
        {
            "issue": issue,
            "program": program,
            "subscribers": services.confirmed_count(program=program),
            "progress": progress,
            "may_send": may_send,
            "scheduled": getattr(issue, "scheduled_send", None),
            "page_title": _("Send by email"),
            "header_title": _("Send “%(title)s” by email") % {"title": issue.title},
        },
    )


@require_http_methods(["GET"])
def preview(request, page_id):
    """The issue as subscribers would get it, from its latest draft: the HTML part, or the
    plain-text part with ?part=text. The unsubscribe link is a placeholder."""
    issue = get_object_or_404(NewsletterIssuePage, pk=page_id)
    program = services.issue_program(issue)
    if not services.user_can_see_counts(request.user, program):
        raise Http404
    draft = issue.get_latest_revision_as_object()
    content = services.issue_render(issue=draft, program=program)
    if request.GET.get("part") == "text":
        return HttpResponse(content["text"], content_type="text/plain; charset=utf-8")
    return HttpResponse(content["html"])


@require_http_methods(["POST"])
def export(request, program_id):
    """The program's subscriber list as CSV: only for those who may send its newsletter
    (its admins and moderators), audited, never cached."""
    program = get_object_or_404(Program, pk=program_id)
    if not services.user_can_see_counts(request.user, program):
        raise Http404
    if not services.user_can_send(request.user, program):
        raise PermissionDenied
    body = services.subscribers_export(program=program, actor=request.user)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-subscribers.csv"'
    response["Cache-Control"] = "no-store"
    return response
