"""Subscriptions (double opt-in, one-click unsubscribe) and sending issues in batches.

Sending is at most once per subscriber and issue: a Delivery row is made for each
confirmed subscriber when the send starts (unique per issue and subscriber), and a batch
task takes pending rows one by one, locked (skipping rows another worker holds), hands the
message to the mail backend and marks the row sent in the same transaction. A crash rolls
back the row being sent, so a resumed send picks up exactly where it stopped.
"""

import html
import re
import secrets
from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import css_inline
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection, send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django_tasks import task

from cms.models import NewsletterIssuePage
from privacy.crypto import keyed_digest
from programs import permissions, selectors
from programs.models import Program
from programs.services.members import editors_group_name, moderators_group_name

from .models import Delivery, ScheduledSend, Subscriber

CONFIRM_FOR = timedelta(hours=48)
RESEND_AFTER = timedelta(minutes=10)  # one confirmation email per address per 10 minutes
UNCONFIRMED_KEPT_FOR = timedelta(days=7)
BATCH_SIZE = 200
SCHEDULE_AHEAD_DAYS = 90
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/__TOKEN__/"


# ---------------------------------------------------------------- who may


def _in_group(user, name: str) -> bool:
    return bool(user and user.is_authenticated) and user.groups.filter(name=name).exists()


def user_can_send(user, program: Program) -> bool:
    """The program's moderators (its admins moderate by default) and admins."""
    return permissions.user_can(user, permissions.ADMINISTER, program) or _in_group(
        user, moderators_group_name(program)
    )


def user_can_see_counts(user, program: Program) -> bool:
    """Editors, moderators and admins see how many subscribe; nobody sees addresses."""
    return user_can_send(user, program) or _in_group(user, editors_group_name(program))


def issue_program(issue: NewsletterIssuePage) -> Program:
    program_page = issue.get_program_page()
    if program_page is None:
        raise ValidationError(_("This issue is not inside a program's section."))
    return program_page.program


def confirmed_count(*, program: Program) -> int:
    return Subscriber.objects.filter(
        program=program, confirmed_at__isnull=False, paused_at__isnull=True
    ).count()


# ---------------------------------------------------------------- subscribing


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def _email_digest(program: Program, email: str) -> str:
    return keyed_digest(f"{program.pk}:{email}", "newsletter-email")


def _token_digest(token: str, purpose: str) -> str:
    return keyed_digest(token, purpose)


def _url(name: str, *args) -> str:
    return settings.TOOLKIT_BASE_URL.rstrip("/") + reverse(name, args=args)


def subscriber_subscribe(*, program: Program, email: str) -> None:
    """Start a double opt-in. The caller says the same thing whatever happens here, so the
    answer never tells whether an address is subscribed; a confirmed address gets nothing."""
    email = _normalise(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"email": _("Enter a valid email address, like name@example.org.")}
        ) from exc
    digest = _email_digest(program, email)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(program=program, email_digest=digest)
        ).first()
        if subscriber is not None and subscriber.is_confirmed and subscriber.paused_at is None:
            return
        if subscriber is not None and subscriber.paused_at is not None:
            # Paused after refusals: subscribing again asks the address to confirm anew.
            subscriber.confirmed_at = subscriber.paused_at = None
            subscriber.failures = 0
            subscriber.save(update_fields=["confirmed_at", "paused_at", "failures"])
        if subscriber is not None and subscriber.confirm_expires_at is not None:
            last_sent = subscriber.confirm_expires_at - CONFIRM_FOR
            if last_sent > timezone.now() - RESEND_AFTER:
                return  # a link went out moments ago: no flood of emails to one inbox
        if subscriber is None:
            token = secrets.token_urlsafe(32)
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        program=program,
                        email=email,
                        email_digest=digest,
                        unsubscribe_token=token,
                        unsubscribe_digest=_token_digest(token, "newsletter-unsubscribe"),
                    )
            except IntegrityError:
                return  # the same address, subscribed at the same moment
        subscriber_id = subscriber.pk
        transaction.on_commit(lambda: send_confirmation.enqueue(subscriber_id=subscriber_id))


@task()
def send_confirmation(*, subscriber_id: int) -> int:
    """Make a fresh confirmation link and email it. The token exists only in the email:
    the task is given no token, and only its hash is stored."""
    subscriber = (
        Subscriber.objects.select_related("program")
        .filter(pk=subscriber_id, confirmed_at__isnull=True)
        .first()
    )
    if subscriber is None:
        return 0
    token = secrets.token_urlsafe(32)
    subscriber.confirm_digest = _token_digest(token, "newsletter-confirm")
    subscriber.confirm_expires_at = timezone.now() + CONFIRM_FOR
    subscriber.save(update_fields=["confirm_digest", "confirm_expires_at"])
    program = subscriber.program
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "newsletter/emails/confirm.txt",
            {
                "program": re.sub(r"[\r\n]+", " ", program.name),
                "confirm_url": _url("newsletter:confirm", program.slug, token),
                "hours": int(CONFIRM_FOR.total_seconds() // 3600),
            },
        )
    subject, _sep, text = body.partition("\n")
    return send_mail(subject.strip(), text.strip(), settings.DEFAULT_FROM_EMAIL, [subscriber.email])


class ConfirmResult:
    CONFIRMED = "confirmed"
    ALREADY = "already"
    EXPIRED = "expired"
    INVALID = "invalid"


def subscriber_confirm(*, program: Program, token: str) -> str:
    """Confirm once; a second click on the same link only says it is done."""
    digest = _token_digest(token or "", "newsletter-confirm")
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(program=program, confirm_digest=digest)
            .first()
        )
        if subscriber is None or not token:
            return ConfirmResult.INVALID
        if subscriber.is_confirmed:
            return ConfirmResult.ALREADY
        if subscriber.confirm_expires_at is None or subscriber.confirm_expires_at <= timezone.now():
            return ConfirmResult.EXPIRED
        subscriber.confirmed_at = timezone.now()
        subscriber.confirm_expires_at = None
        subscriber.save(update_fields=["confirmed_at", "confirm_expires_at"])
    return ConfirmResult.CONFIRMED


def subscriber_for_unsubscribe(*, program: Program, token: str) -> Subscriber | None:
    if not token:
        return None
    return Subscriber.objects.filter(
        program=program, unsubscribe_digest=_token_digest(token, "newsletter-unsubscribe")
    ).first()


def subscriber_unsubscribe(*, program: Program, token: str) -> bool:
    """Delete the subscriber, address and all; True if there was one."""
    subscriber = subscriber_for_unsubscribe(program=program, token=token)
    if subscriber is None:
        return False
    subscriber.delete()
    return True


def subscribers_purge_unconfirmed(*, now=None) -> int:
    """Addresses never confirmed are deleted a week after they were given."""
    now = now or timezone.now()
    deleted, _by_model = Subscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - UNCONFIRMED_KEPT_FOR
    ).delete()
    return deleted


# ---------------------------------------------------------------- the issue email


def _link_as_text(match) -> str:
    href, label = html.unescape(match.group(1)), strip_tags(match.group(2)).strip()
    if not href.startswith(("http://", "https://")) or href == html.unescape(label):
        return match.group(2)
    return f"{match.group(2)} ({match.group(1)})"


def _text_from_html(markup: str) -> str:
    # Links keep their address in the plain-text part: "Read more (https://…)".
    markup = re.sub(r'(?is)<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', _link_as_text, markup)
    markup = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    markup = re.sub(r"(?i)</(p|h[1-6]|li|div|section|ul|ol)>", "\n\n", markup)
    markup = re.sub(r"(?i)<li[^>]*>", "- ", markup)
    text = html.unescape(strip_tags(markup))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def issue_render(*, issue: NewsletterIssuePage, program: Program) -> dict:
    """Subject, inlined HTML and plain text, with a placeholder for the unsubscribe link."""
    context = {
        "issue": issue,
        "program": program,
        "crisis_lines": selectors.help_resources(program=program, crisis_only=True),
        "issue_url": issue.full_url or "",
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
    }
    with translation.override(settings.LANGUAGE_CODE):
        body_html = render_to_string("newsletter/emails/issue_body.html", context)
        markup = render_to_string("newsletter/emails/issue.html", {**context, "body": body_html})
        text = render_to_string(
            "newsletter/emails/issue.txt", {**context, "body": _text_from_html(body_html)}
        )
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False)
    return {
        "subject": re.sub(r"[\r\n]+", " ", f"{program.name}: {issue.title}"),
        "html": inliner.inline(markup),
        "text": text,
    }


def _message(content: dict, *, to: str, unsubscribe_url: str, connection=None):
    message = EmailMultiAlternatives(
        subject=content["subject"],
        body=content["text"].replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=connection,
    )
    message.attach_alternative(
        content["html"].replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url), "text/html"
    )
    return message


# ---------------------------------------------------------------- sending


def _require_sender(actor, program: Program) -> None:
    if not user_can_send(actor, program):
        raise PermissionDenied


def issue_send_test(*, issue: NewsletterIssuePage, actor) -> None:
    """The issue as subscribers will see it, to the sender's own address."""
    program = issue_program(issue)
    _require_sender(actor, program)
    if not actor.email:
        raise ValidationError(_("Your account has no email address to send the test to."))
    content = issue_render(issue=issue, program=program)
    content["subject"] = _("[Test] %(subject)s") % {"subject": content["subject"]}
    _message(
        content, to=actor.email, unsubscribe_url=_url("newsletter:subscribe", program.slug)
    ).send()


def issue_send(*, issue: NewsletterIssuePage, actor) -> int:
    """Send a published issue once to every confirmed subscriber of its program."""
    program = issue_program(issue)
    _require_sender(actor, program)
    if not issue.live:
        raise ValidationError(_("Publish this issue before sending it."))
    with transaction.atomic():
        if Delivery.objects.filter(issue=issue).exists():
            raise ValidationError(_("This issue has already been sent. It is sent only once."))
        subscriber_ids = list(
            Subscriber.objects.filter(
                program=program, confirmed_at__isnull=False, paused_at__isnull=True
            ).values_list("pk", flat=True)
        )
        if not subscriber_ids:
            raise ValidationError(_("Nobody has confirmed a subscription yet: nothing to send."))
        try:
            with transaction.atomic():
                Delivery.objects.bulk_create(
                    [
                        Delivery(issue=issue, subscriber_id=pk, started_by=actor)
                        for pk in subscriber_ids
                    ],
                    batch_size=500,
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("This issue has already been sent. It is sent only once.")
            ) from exc
        transaction.on_commit(lambda: _enqueue_batches(issue.pk, len(subscriber_ids)))
    return len(subscriber_ids)


def issue_schedule(*, issue: NewsletterIssuePage, actor, send_at) -> ScheduledSend:
    """Send the issue later, at send_at (in the future). Scheduling again moves the time;
    an issue already sent cannot be scheduled."""
    program = issue_program(issue)
    _require_sender(actor, program)
    if send_at is None or send_at <= timezone.now():
        raise ValidationError(_("Choose a time in the future to send this issue."))
    if send_at > timezone.now() + timedelta(days=SCHEDULE_AHEAD_DAYS):
        raise ValidationError(
            _("Choose a time within %(days)d days.") % {"days": SCHEDULE_AHEAD_DAYS}
        )
    if Delivery.objects.filter(issue=issue).exists():
        raise ValidationError(_("This issue has already been sent. It is sent only once."))
    scheduled, _created = ScheduledSend.objects.update_or_create(
        issue=issue,
        defaults={"send_at": send_at, "scheduled_by": actor, "outcome": "", "done_at": None},
    )
    return scheduled


def issue_unschedule(*, issue: NewsletterIssuePage, actor) -> bool:
    _require_sender(actor, issue_program(issue))
    deleted, _rows = ScheduledSend.objects.filter(issue=issue, done_at__isnull=True).delete()
    return bool(deleted)


def scheduled_sends_run(*, now=None) -> int:
    """Start every scheduled send whose time has come; each is tried once. A send that is
    refused then (the issue was unpublished, nobody is subscribed, it was sent by hand)
    records why and sends nothing."""
    now = now or timezone.now()
    started = 0
    due = ScheduledSend.objects.filter(done_at__isnull=True, send_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            scheduled = (
                ScheduledSend.objects.select_for_update(of=("self",))
                .select_related("issue", "scheduled_by")
                .filter(pk=pk, done_at__isnull=True)
                .first()
            )
            if scheduled is None:
                continue  # another run took it
            try:
                if scheduled.scheduled_by is None:
                    raise PermissionDenied
                with transaction.atomic():
                    count = issue_send(issue=scheduled.issue, actor=scheduled.scheduled_by)
            except (ValidationError, PermissionDenied) as exc:
                scheduled.outcome = " ".join(getattr(exc, "messages", [])) or _(
                    "The person who scheduled it may no longer send this program's issues."
                )
            else:
                scheduled.outcome = _("Sending to %(count)s subscribers started.") % {
                    "count": count
                }
                started += 1
            scheduled.done_at = now
            scheduled.save(update_fields=["outcome", "done_at"])
    return started


def issue_send_resume(*, issue: NewsletterIssuePage, actor) -> int:
    """After a crash or a stopped worker: queue batches for what is still pending."""
    _require_sender(actor, issue_program(issue))
    pending = Delivery.objects.filter(issue=issue, status=Delivery.Status.PENDING).count()
    if pending:
        transaction.on_commit(lambda: _enqueue_batches(issue.pk, pending))
    return pending


def _enqueue_batches(issue_id: int, count: int) -> None:
    for _batch in range((count + BATCH_SIZE - 1) // BATCH_SIZE):
        deliver_batch.enqueue(issue_id=issue_id)


def issue_progress(*, issue: NewsletterIssuePage) -> dict:
    counts = Delivery.objects.filter(issue=issue).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        pending=Count("pk", filter=Q(status=Delivery.Status.PENDING)),
        skipped=Count("pk", filter=Q(status=Delivery.Status.SKIPPED)),
    )
    return counts


def _refused(subscriber: Subscriber) -> None:
    """The mail server refused the address: after a few refusals in a row, stop sending to
    it (the person can subscribe again; nothing else about them is kept)."""
    subscriber.failures += 1
    if subscriber.failures >= Subscriber.PAUSE_AFTER_FAILURES and subscriber.paused_at is None:
        subscriber.paused_at = timezone.now()
    subscriber.save(update_fields=["failures", "paused_at"])


def _next_pending(issue_id: int):
    rows = Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.PENDING).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return rows.first()


@task()
def deliver_batch(*, issue_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Send up to batch_size pending deliveries of the issue; each is marked in the
    transaction that hands it to the mail backend."""
    issue = NewsletterIssuePage.objects.filter(pk=issue_id).first()
    if issue is None:
        return 0
    program = issue_program(issue)
    content = issue_render(issue=issue, program=program)
    mail = get_connection()
    sent = 0
    try:
        for _n in range(batch_size):
            with transaction.atomic():
                delivery = _next_pending(issue_id)
                if delivery is None:
                    break
                subscriber = Subscriber.objects.filter(
                    pk=delivery.subscriber_id, confirmed_at__isnull=False
                ).first()
                if subscriber is None:
                    delivery.status = Delivery.Status.SKIPPED
                else:
                    message = _message(
                        content,
                        to=subscriber.email,
                        unsubscribe_url=_url(
                            "newsletter:unsubscribe", program.slug, subscriber.unsubscribe_token
                        ),
                        connection=mail,
                    )
                    try:
                        message.send()
                    except SMTPRecipientsRefused:
                        delivery.status = Delivery.Status.FAILED
                        _refused(subscriber)
                    else:
                        delivery.status = Delivery.Status.SENT
                        delivery.sent_at = timezone.now()
                        sent += 1
                        if subscriber.failures:
                            subscriber.failures = 0
                            subscriber.save(update_fields=["failures"])
                delivery.save(update_fields=["status", "sent_at"])
    finally:
        mail.close()
    return sent


# ---------------------------------------------------------------- the audited export

EXPORT_COLUMNS = ["email", "status", "subscribed_at", "confirmed_at"]


def subscribers_export(*, program: Program, actor) -> str:
    """The program's subscribers as CSV text, for those who may send its newsletter; every
    cell neutralised against formula injection, and the export written to the audit trail."""
    from programs.exports import csv_text
    from programs.models import AuditEntry
    from programs.services.audit import audit_record

    _require_sender(actor, program)
    rows = []
    for subscriber in Subscriber.objects.filter(program=program).order_by("created_at", "pk"):
        if subscriber.paused_at:
            status = "paused"
        elif subscriber.confirmed_at:
            status = "confirmed"
        else:
            status = "unconfirmed"
        rows.append(
            [
                subscriber.email,
                status,
                timezone.localtime(subscriber.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(subscriber.confirmed_at).strftime("%Y-%m-%d %H:%M")
                if subscriber.confirmed_at
                else "",
            ]
        )
    audit_record(
        program=program,
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target="newsletter subscribers",
        data={"rows": len(rows)},
    )
    return csv_text(EXPORT_COLUMNS, rows)
