"""The staff side of a case: offer, accept, decline, reply, note, refer, hand over, close."""

import logging
import uuid
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import eligibility, permissions
from ..models import (
    CaseAccess,
    CaseEvent,
    CaseNote,
    Message,
    Referral,
    ReferralKind,
    SupporterProfile,
    SupportRequest,
)
from . import notifications
from .limits import MAX_MESSAGE_LENGTH, validate_body

logger = logging.getLogger(__name__)

Status = SupportRequest.Status


def audit(*, case: SupportRequest, actor, action: str, via: str = "web") -> None:
    """Record one access to a case: who, what kind of access, when. Never content."""
    CaseAccess.objects.create(
        case_id=case.pk, program_id=case.program_id, actor=actor, action=action, via=via
    )


def audit_many(*, cases, actor, action: str, via: str = "web") -> None:
    """One audit row per case shown together (a coordinator's queue), in one query."""
    CaseAccess.objects.bulk_create(
        CaseAccess(case_id=c.pk, program_id=c.program_id, actor=actor, action=action, via=via)
        for c in cases
    )


def _require_open(case: SupportRequest) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."))


def _require_taken(case: SupportRequest) -> None:
    if case.status in (Status.QUEUED, Status.OFFERED):
        raise ValidationError(_("No supporter has taken this request on yet."))


def _refresh_locked(request: SupportRequest) -> None:
    """Re-read status and supporter under a row lock, so a reassignment is never overwritten."""
    current = (
        SupportRequest.objects.select_for_update()
        .filter(pk=request.pk)
        .values("status", "assigned_to_id")
        .get()
    )
    if current["assigned_to_id"] != request.assigned_to_id:
        request.assigned_to_id = current["assigned_to_id"]
        request.assigned_to = (
            SupporterProfile.objects.select_related("user").get(pk=current["assigned_to_id"])
            if current["assigned_to_id"]
            else None
        )
    request.status = current["status"]


def _require_handler(actor, case: SupportRequest) -> str:
    """The assigned supporter, once accepted, or a coordinator of the program."""
    if permissions.is_assigned_supporter(actor, case) and case.status != Status.OFFERED:
        return Message.Sender.SUPPORTER
    if permissions.can_triage_case(actor, case):
        return Message.Sender.COORDINATOR
    raise PermissionDenied


@transaction.atomic
def request_offer(*, request: SupportRequest, supporter: SupporterProfile, actor, via="web"):
    """Offer (or reassign) a request to an eligible supporter; coordinators or the auto-assigner.

    A reassigned case leaves the previous supporter's caseload at once.
    """
    if actor is not None:
        permissions.require(actor, permissions.TRIAGE, request.program)
    # Lock both rows so two coordinators cannot fill the same last place at once.
    SupporterProfile.objects.select_for_update().filter(pk=supporter.pk).first()
    _refresh_locked(request)
    _require_open(request)
    if supporter.program_id != request.program_id:
        raise ValidationError({"supporter": _("Choose a supporter from this program.")})
    if not eligibility.is_candidate(request=request, supporter=supporter):
        raise ValidationError(
            {
                "supporter": _(
                    "This supporter cannot take this request (training, capacity, "
                    "channel, language, pause or the requester's exclusions)."
                )
            }
        )
    request.assigned_to = supporter
    request.status = Status.OFFERED
    request.no_match = False
    request.save(update_fields=["assigned_to", "status", "no_match"])
    CaseEvent.objects.create(
        request=request, kind=CaseEvent.Kind.OFFERED, supporter=supporter, actor=actor
    )
    if actor is not None:
        audit(case=request, actor=actor, action=CaseAccess.Action.ASSIGN, via=via)
    transaction.on_commit(lambda: notifications.supporter_offered(supporter=supporter))
    return request


@transaction.atomic
def request_accept(*, request: SupportRequest, actor, via="web") -> SupportRequest:
    _refresh_locked(request)
    if not permissions.is_assigned_supporter(actor, request) or request.status != Status.OFFERED:
        raise PermissionDenied
    request.status = Status.NEW
    request.save(update_fields=["status"])
    CaseEvent.objects.create(
        request=request, kind=CaseEvent.Kind.ACCEPTED, supporter=request.assigned_to, actor=actor
    )
    audit(case=request, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    return request


def _return_to_queue(request: SupportRequest) -> None:
    request.assigned_to = None
    request.status = Status.QUEUED
    request.save(update_fields=["assigned_to", "status"])


@transaction.atomic
def cases_release(*, supporter: SupporterProfile) -> int:
    """A supporter who leaves gives back every open case; coordinators are told at once."""
    released = list(
        SupportRequest.objects.select_for_update().filter(
            assigned_to=supporter, status__in=SupportRequest.ACTIVE_CASE_STATUSES
        )
    )
    for request in released:
        _return_to_queue(request)
        CaseEvent.objects.create(request=request, kind=CaseEvent.Kind.HANDOVER, supporter=supporter)
        transaction.on_commit(lambda pk=request.pk: request_route(request_id=pk, returned=True))
    return len(released)


@transaction.atomic
def request_decline(*, request: SupportRequest, actor, reason: str, via="web") -> SupportRequest:
    """The offered supporter declines with a reason category only; the request goes back."""
    _refresh_locked(request)
    if not permissions.is_assigned_supporter(actor, request) or request.status != Status.OFFERED:
        raise PermissionDenied
    if reason not in CaseEvent.DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    supporter = request.assigned_to
    _return_to_queue(request)
    CaseEvent.objects.create(
        request=request,
        kind=CaseEvent.Kind.DECLINED,
        supporter=supporter,
        actor=actor,
        reason=reason,
    )
    audit(case=request, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    transaction.on_commit(lambda: request_route(request_id=request.pk, returned=True))
    return request


@transaction.atomic
def staff_reply(*, request: SupportRequest, actor, body: str, via="web") -> Message:
    """The assigned supporter or a coordinator writes to the requester."""
    body = validate_body(body)
    sender = _require_handler(actor, request)
    _require_open(request)
    message = Message.objects.create(
        request=request, sender=sender, author=actor, body=body, created_at=timezone.now()
    )
    request.last_contact_at = timezone.now()
    fields = ["last_contact_at"]
    if request.status in (Status.NEW, Status.QUEUED) and sender == Message.Sender.SUPPORTER:
        request.status = Status.CONTACTED
        fields.append("status")
    request.save(update_fields=fields)
    audit(case=request, actor=actor, action=CaseAccess.Action.REPLY, via=via)
    return message


@transaction.atomic
def note_add(
    *,
    request: SupportRequest,
    actor,
    contact_date: date,
    contact_type: str,
    referral_offered: bool = False,
    text: str = "",
    via="web",
) -> CaseNote:
    """A minimal structured note; free text is optional."""
    _require_handler(actor, request)
    _require_open(request)
    if len(text or "") > MAX_MESSAGE_LENGTH:
        raise ValidationError({"text": _("Please keep notes short.")})
    if contact_date > timezone.localdate():
        raise ValidationError({"contact_date": _("The contact date cannot be in the future.")})
    note = CaseNote(
        request=request,
        author=actor,
        contact_date=contact_date,
        contact_type=contact_type,
        referral_offered=referral_offered,
        text=(text or "").strip(),
    )
    note.full_clean(exclude=["request", "author", "text"])
    note.save()
    contact_at = timezone.make_aware(
        timezone.datetime.combine(contact_date, timezone.datetime.min.time())
    )
    if request.last_contact_at is None or contact_at > request.last_contact_at:
        request.last_contact_at = contact_at
    if request.status == Status.NEW:
        request.status = Status.CONTACTED
    request.save(update_fields=["last_contact_at", "status"])
    audit(case=request, actor=actor, action=CaseAccess.Action.NOTE, via=via)
    return note


@transaction.atomic
def referral_record(*, request: SupportRequest, actor, kind: str, via="web") -> Referral:
    """Record that professional help was offered, and of what kind; never to whom."""
    _require_handler(actor, request)
    _require_open(request)
    _require_taken(request)
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": _("Choose the kind of help offered.")})
    referral = Referral.objects.create(request=request, kind=kind, offered_by=actor)
    request.status = Status.REFERRED
    request.save(update_fields=["status"])
    audit(case=request, actor=actor, action=CaseAccess.Action.REFER, via=via)
    return referral


@transaction.atomic
def handover_request(*, request: SupportRequest, actor, via="web") -> None:
    """The supporter asks a coordinator to hand the case to someone else."""
    if not permissions.is_assigned_supporter(actor, request) or request.status == Status.OFFERED:
        raise PermissionDenied
    _require_open(request)
    if eligibility.handover_pending(request=request):
        return
    CaseEvent.objects.create(
        request=request, kind=CaseEvent.Kind.HANDOVER, supporter=request.assigned_to, actor=actor
    )
    audit(case=request, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    transaction.on_commit(
        lambda: notifications.coordinators_alerted(
            program=request.program, template="handover_requested"
        )
    )


def requester_waiting(*, request: SupportRequest) -> bool:
    """The requester wrote last: their message has had no answer yet."""
    last = request.messages.order_by("-id").values_list("sender", flat=True).first()
    return last == Message.Sender.REQUESTER


@transaction.atomic
def request_close(
    *, request: SupportRequest, actor, outcome: str, closing_message: str = "", via="web"
) -> SupportRequest:
    """Close a case with an outcome. A closing message is required while the requester's last
    message is unanswered; it is sent to them and shown on their closed view."""
    sender = _require_handler(actor, request)
    _require_open(request)
    errors = {}
    if outcome not in SupportRequest.Outcome.values:
        errors["outcome"] = _("Choose an outcome.")
    closing_message = (closing_message or "").strip()
    if len(closing_message) > MAX_MESSAGE_LENGTH:
        errors["closing_message"] = _("Please keep this under %(n)d characters.") % {
            "n": MAX_MESSAGE_LENGTH
        }
    elif not closing_message and requester_waiting(request=request):
        errors["closing_message"] = _(
            "Their last message has not been answered yet. Write them a closing message: "
            "they will read it, with the crisis lines, when they next open their request."
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if closing_message:
        Message.objects.create(
            request=request,
            sender=sender,
            author=actor,
            body=closing_message,
            created_at=now,
            is_closing=True,
        )
        request.last_contact_at = now
    request.status = Status.CLOSED
    request.outcome = outcome
    request.closed_at = now
    request.save(update_fields=["status", "outcome", "closed_at", "last_contact_at"])
    CaseEvent.objects.create(request=request, kind=CaseEvent.Kind.CLOSED, actor=actor)
    audit(case=request, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    return request


SUPPORTER_STATUS_MOVES = {Status.CONTACTED, Status.ACTIVE, Status.REFERRED}


@transaction.atomic
def request_status_set(
    *,
    request: SupportRequest,
    actor,
    status: str,
    outcome: str = "",
    closing_message: str = "",
    via="web",
) -> SupportRequest:
    """Move a case along; closing needs an outcome (and see request_close)."""
    if status == Status.CLOSED:
        return request_close(
            request=request,
            actor=actor,
            outcome=outcome,
            closing_message=closing_message,
            via=via,
        )
    if status == Status.NEW and request.status == Status.OFFERED:
        return request_accept(request=request, actor=actor, via=via)
    _require_handler(actor, request)
    _require_open(request)
    if status not in SUPPORTER_STATUS_MOVES:
        raise ValidationError({"status": _("A case cannot be moved to that status.")})
    _require_taken(request)
    request.status = status
    request.save(update_fields=["status"])
    audit(case=request, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    return request


def _month_start(moment):
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def requests_purge_expired(*, now=None) -> int:
    """Purge closed and withdrawn requests once their program's retention has passed.

    Everything said or noted goes, with the receipt code's hash, the preferences, the
    supporter and the history. What stays is an anonymous skeleton for the reports, with its
    times cut to the month: deleting rows would shrink past months' counts and tell a
    watcher when a case closed.
    """
    now = now or timezone.now()
    purged = 0
    expired = SupportRequest.objects.filter(
        status__in=[Status.CLOSED, Status.WITHDRAWN], closed_at__isnull=False, purged=False
    ).select_related("program")
    for request in expired:
        if request.closed_at >= now - timedelta(days=request.program.retention_days):
            continue
        with transaction.atomic():
            request.messages.all().delete()
            request.notes.all().delete()
            request.referrals.all().delete()
            request.events.all().delete()
            SupportRequest.objects.filter(pk=request.pk).update(
                purged=True,
                receipt_hash=f"purged-{uuid.uuid4().hex}",
                contact_detail=None,
                alias=None,
                preferred_gender="",
                preferred_language=None,
                excluded_unit=None,
                wants_shared_experience=False,
                in_danger=False,
                assigned_to=None,
                no_match=False,
                created_at=_month_start(request.created_at),
                requester_seen_at=_month_start(request.created_at),
                last_contact_at=None,
                closed_at=_month_start(request.closed_at),
            )
        purged += 1
    return purged


# Routing: the write that follows from eligibility ------------------------------------


def request_route(*, request_id, returned: bool = False) -> None:
    """After intake or a decline: auto-assign if the program wants it, and tell coordinators.

    When nobody is eligible the request is marked `no_match`, so the requester's status
    page says so honestly, and coordinators hear about it at once.
    """
    request = SupportRequest.objects.select_related("program").get(pk=request_id)
    if request.status != SupportRequest.Status.QUEUED:
        return
    offered = False
    try:
        best = eligibility.candidates(request=request).first()
        if best is None:
            _no_match_set(request, True)
        else:
            _no_match_set(request, False)
            if request.program.auto_assign:
                request_offer(request=request, supporter=best, actor=None)
                offered = True
    except ValidationError:
        # Someone else changed the request meanwhile; coordinators are still told below.
        logger.warning("Routing request %s was overtaken by another change.", request.pk)
    except Exception:
        # The request is saved and waits in the queue; the requester must still get their
        # receipt code, so a routing failure is logged (never content) and not raised.
        logger.exception("Routing request %s failed; it waits for a coordinator.", request.pk)
    notifications.request_arrived(request_id=request.pk, returned=returned, offered=offered)


@transaction.atomic
def _no_match_set(request: SupportRequest, no_match: bool) -> None:
    if request.no_match == no_match:
        return
    request.no_match = no_match
    request.save(update_fields=["no_match"])
    if no_match:
        CaseEvent.objects.create(request=request, kind=CaseEvent.Kind.NO_MATCH)
