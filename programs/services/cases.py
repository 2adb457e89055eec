"""The staff side of a case: offer, accept, decline, reply, note, refer, hand over, close."""

import functools
import logging
import uuid
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tasks import task

from privacy.timeutils import coarse_now

from .. import eligibility, permissions, selectors, versions
from ..models import (
    AuditEntry,
    Case,
    CaseAccess,
    CaseEvent,
    CaseNote,
    Message,
    PlanProposal,
    Referral,
    ReferralKind,
    SafetyPlan,
    SupporterProfile,
)
from . import notifications, reports
from .audit import audit_record, case_label
from .limits import MAX_MESSAGE_LENGTH, validate_body

logger = logging.getLogger(__name__)

Status = Case.Status


def audit(*, case: Case, actor, action: str, via: str = "web") -> None:
    """Record one access to a case: who, what kind of access, when. Never content."""
    CaseAccess.objects.create(
        case_id=case.pk, program_id=case.program_id, actor=actor, action=action, via=via
    )


def audit_many(*, cases=(), shown=(), actor, action: str, via: str = "web") -> None:
    """One audit row per case shown together (a queue, a caseload), given as cases or as
    (case key, program key) pairs, in one INSERT however many."""
    # Once each, as the `IN` list always had it, should a list show a case twice.
    shown = list(dict.fromkeys([*shown, *((c.pk, c.program_id) for c in cases)]))
    if not shown:
        return
    at = timezone.now()
    if connection.vendor == "postgresql":
        _audit_many_postgresql(shown, actor=actor, action=action, via=via, at=at)
    else:
        _audit_many_selected(shown, actor=actor, action=action, via=via, at=at)


def _access_columns() -> str:
    qn = connection.ops.quote_name
    access = CaseAccess._meta
    return ", ".join(
        qn(access.get_field(name).column)
        for name in ("case_id", "program", "actor", "action", "via", "at")
    )


def _audit_many_postgresql(shown, *, actor, action, via, at) -> None:
    """The rows from two array parameters, the cases' keys and their programs' keys, as the
    listing read them: no case is read again, and a statement of six parameters however
    many cases (an `IN` list of one parameter a case cost the caseload more than the rows
    themselves). Each key is checked to be a key here, so an array holds only keys."""
    case_keys = ",".join(str(_as_uuid(case_key)) for case_key, _program in shown)
    program_keys = ",".join(str(int(program_key)) for _case, program_key in shown)
    params = [
        "{" + case_keys + "}",
        "{" + program_keys + "}",
        getattr(actor, "pk", None),
        action,
        via,
        CaseAccess._meta.get_field("at").get_db_prep_value(at, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_audit_sql_postgresql(), params)


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@functools.cache
def _audit_sql_postgresql() -> str:
    """Written once: only quoted names and types from the models, and placeholders."""
    qn = connection.ops.quote_name
    access = CaseAccess._meta
    key_type = access.get_field("case_id").db_type(connection)
    program_type = access.get_field("program").target_field.rel_db_type(connection)
    return f"INSERT INTO {qn(access.db_table)} ({_access_columns()}) SELECT unnest(%s::{key_type}[]), unnest(%s::{program_type}[]), %s, %s, %s, %s"  # noqa: E501, S608


def _audit_many_selected(shown, *, actor, action, via, at) -> None:
    """Elsewhere (SQLite), `INSERT … SELECT` over the cases' keys, the program from each case
    row: one parameter a case where a bulk insert takes six, so it is never split into
    batches."""
    qn = connection.ops.quote_name
    access, case_table = CaseAccess._meta, Case._meta
    pk = case_table.pk
    # Only quoted names from the models and placeholders: no value is formatted in.
    key, program = qn(pk.column), qn(case_table.get_field("program").column)
    placeholders = ", ".join(["%s"] * len(shown))
    sql = f"INSERT INTO {qn(access.db_table)} ({_access_columns()}) SELECT {key}, {program}, %s, %s, %s, %s FROM {qn(case_table.db_table)} WHERE {key} IN ({placeholders})"  # noqa: E501, S608
    params = [
        getattr(actor, "pk", None),
        action,
        via,
        access.get_field("at").get_db_prep_value(at, connection),
    ]
    params += [pk.get_db_prep_value(case_key, connection) for case_key, _program in shown]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."))


def _require_taken(case: Case) -> None:
    if case.status in (Status.QUEUED, Status.OFFERED):
        raise ValidationError(_("No supporter has taken this request on yet."))


def _refresh_locked(case: Case) -> None:
    """Re-read status and supporter under a row lock, so a reassignment is never overwritten."""
    current = (
        Case.objects.select_for_update().filter(pk=case.pk).values("status", "assigned_to_id").get()
    )
    if current["assigned_to_id"] != case.assigned_to_id:
        case.assigned_to_id = current["assigned_to_id"]
        case.assigned_to = (
            SupporterProfile.objects.select_related("user").get(pk=current["assigned_to_id"])
            if current["assigned_to_id"]
            else None
        )
    case.status = current["status"]


def _require_handler(actor, case: Case) -> str:
    """The assigned supporter, once accepted, or a coordinator of the program."""
    if permissions.is_assigned_supporter(actor, case) and case.status != Status.OFFERED:
        return Message.Sender.SUPPORTER
    if permissions.can_triage_case(actor, case):
        return Message.Sender.COORDINATOR
    raise PermissionDenied


@transaction.atomic
def case_offer(*, case: Case, supporter: SupporterProfile, actor, via="web"):
    """Offer (or reassign) a request to an eligible supporter; coordinators or the auto-assigner.

    A reassigned case leaves the previous supporter's caseload at once.
    """
    if actor is not None:
        permissions.require(actor, permissions.TRIAGE, case.program)
    # Lock both rows so two coordinators cannot fill the same last place at once.
    SupporterProfile.objects.select_for_update().filter(pk=supporter.pk).first()
    _refresh_locked(case)
    _require_open(case)
    previous_id = case.assigned_to_id
    if supporter.program_id != case.program_id:
        raise ValidationError({"supporter": _("Choose a supporter from this program.")})
    if not eligibility.is_candidate(case=case, supporter=supporter):
        raise ValidationError(
            {
                "supporter": _(
                    "This supporter cannot take this request (training, capacity, "
                    "channel, language, pause or the requester's exclusions)."
                )
            }
        )
    case.assigned_to = supporter
    case.status = Status.OFFERED
    case.no_match = False
    case.save(update_fields=["assigned_to", "status", "no_match"])
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.OFFERED, supporter=supporter, actor=actor
    )
    if actor is not None:
        audit(case=case, actor=actor, action=CaseAccess.Action.ASSIGN, via=via)
    audit_record(
        program=case.program,
        actor=actor,
        action=AuditEntry.Action.ASSIGNMENT,
        target=case_label(case),
        data={
            "supporter": supporter.display_name,
            "reassigned": previous_id is not None and previous_id != supporter.pk,
            "automatic": actor is None,
            "via": via,
        },
    )
    transaction.on_commit(lambda: notifications.supporter_offered(supporter=supporter))
    return case


@transaction.atomic
def case_accept(*, case: Case, actor, via="web") -> Case:
    _refresh_locked(case)
    if not permissions.is_assigned_supporter(actor, case) or case.status != Status.OFFERED:
        raise PermissionDenied
    case.status = Status.NEW
    case.save(update_fields=["status"])
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.ACCEPTED, supporter=case.assigned_to, actor=actor
    )
    audit(case=case, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    return case


def _return_to_queue(case: Case) -> None:
    case.assigned_to = None
    case.status = Status.QUEUED
    case.save(update_fields=["assigned_to", "status"])


@transaction.atomic
def cases_release(*, supporter: SupporterProfile) -> int:
    """A supporter who leaves gives back every open case; coordinators are told at once."""
    released = list(
        Case.objects.select_for_update().filter(
            assigned_to=supporter, status__in=Case.ACTIVE_CASE_STATUSES
        )
    )
    for case in released:
        _return_to_queue(case)
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.HANDOVER, supporter=supporter)
        transaction.on_commit(lambda pk=case.pk: case_route(case_id=pk, returned=True))
    return len(released)


@transaction.atomic
def case_decline(*, case: Case, actor, reason: str, via="web") -> Case:
    """The offered supporter declines with a reason category only; the request goes back."""
    _refresh_locked(case)
    if not permissions.is_assigned_supporter(actor, case) or case.status != Status.OFFERED:
        raise PermissionDenied
    if reason not in CaseEvent.DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    supporter = case.assigned_to
    _return_to_queue(case)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.DECLINED,
        supporter=supporter,
        actor=actor,
        reason=reason,
    )
    audit(case=case, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    transaction.on_commit(lambda: case_route(case_id=case.pk, returned=True))
    return case


@transaction.atomic
def staff_reply(*, case: Case, actor, body: str, via="web") -> Message:
    """The assigned supporter or a coordinator writes to the requester."""
    body = validate_body(body)
    sender = _require_handler(actor, case)
    _require_open(case)
    message = Message.objects.create(
        case=case, sender=sender, author=actor, body=body, created_at=timezone.now()
    )
    case.last_contact_at = timezone.now()
    fields = ["last_contact_at"]
    if case.status in (Status.NEW, Status.QUEUED) and sender == Message.Sender.SUPPORTER:
        case.status = Status.CONTACTED
        fields.append("status")
    case.save(update_fields=fields)
    audit(case=case, actor=actor, action=CaseAccess.Action.REPLY, via=via)
    return message


@transaction.atomic
def note_add(
    *,
    case: Case,
    actor,
    contact_date: date,
    contact_type: str,
    referral_offered: bool = False,
    text: str = "",
    via="web",
) -> CaseNote:
    """A minimal structured note; free text is optional."""
    _require_handler(actor, case)
    _require_open(case)
    if len(text or "") > MAX_MESSAGE_LENGTH:
        raise ValidationError({"text": _("Please keep notes short.")})
    if contact_date > timezone.localdate():
        raise ValidationError({"contact_date": _("The contact date cannot be in the future.")})
    note = CaseNote(
        case=case,
        author=actor,
        contact_date=contact_date,
        contact_type=contact_type,
        referral_offered=referral_offered,
        text=(text or "").strip(),
    )
    note.full_clean(exclude=["case", "author", "text"])
    note.save()
    contact_at = timezone.make_aware(
        timezone.datetime.combine(contact_date, timezone.datetime.min.time())
    )
    if case.last_contact_at is None or contact_at > case.last_contact_at:
        case.last_contact_at = contact_at
    if case.status == Status.NEW:
        case.status = Status.CONTACTED
    case.save(update_fields=["last_contact_at", "status"])
    audit(case=case, actor=actor, action=CaseAccess.Action.NOTE, via=via)
    return note


@transaction.atomic
def referral_record(*, case: Case, actor, kind: str, via="web") -> Referral:
    """Record that professional help was offered, and of what kind; never to whom."""
    _require_handler(actor, case)
    _require_open(case)
    _require_taken(case)
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": _("Choose the kind of help offered.")})
    referral = Referral.objects.create(case=case, kind=kind, offered_by=actor)
    case.status = Status.REFERRED
    case.save(update_fields=["status"])
    audit(case=case, actor=actor, action=CaseAccess.Action.REFER, via=via)
    return referral


@transaction.atomic
def handover_ask(*, case: Case, actor, via="web") -> None:
    """The supporter asks a coordinator to hand the case to someone else."""
    if not permissions.is_assigned_supporter(actor, case) or case.status == Status.OFFERED:
        raise PermissionDenied
    _require_open(case)
    if eligibility.handover_pending(case=case):
        return
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.HANDOVER, supporter=case.assigned_to, actor=actor
    )
    audit(case=case, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    transaction.on_commit(
        lambda: notifications.coordinators_alerted(
            program=case.program, template="handover_requested"
        )
    )


@transaction.atomic
def case_close(*, case: Case, actor, outcome: str, closing_message: str = "", via="web") -> Case:
    """Close a case with an outcome. A closing message is required while the requester's last
    message is unanswered; it is sent to them and shown on their closed view."""
    sender = _require_handler(actor, case)
    _require_open(case)
    errors = {}
    if outcome not in Case.Outcome.values:
        errors["outcome"] = _("Choose an outcome.")
    closing_message = (closing_message or "").strip()
    if len(closing_message) > MAX_MESSAGE_LENGTH:
        errors["closing_message"] = _("Please keep this under %(n)d characters.") % {
            "n": MAX_MESSAGE_LENGTH
        }
    elif not closing_message and eligibility.requester_waiting(case=case):
        errors["closing_message"] = _(
            "Their last message has not been answered yet. Write them a closing message: "
            "they will read it, with the crisis lines, when they next open their request."
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if closing_message:
        Message.objects.create(
            case=case,
            sender=sender,
            author=actor,
            body=closing_message,
            created_at=now,
            is_closing=True,
        )
        case.last_contact_at = now
    case.status = Status.CLOSED
    case.outcome = outcome
    case.closed_at = now
    case.save(update_fields=["status", "outcome", "closed_at", "last_contact_at"])
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, actor=actor)
    audit(case=case, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    return case


SUPPORTER_STATUS_MOVES = {Status.CONTACTED, Status.ACTIVE, Status.REFERRED}


@transaction.atomic
def case_status_set(
    *,
    case: Case,
    actor,
    status: str,
    outcome: str = "",
    closing_message: str = "",
    via="web",
) -> Case:
    """Move a case along; closing needs an outcome (and see case_close)."""
    if status == Status.CLOSED:
        return case_close(
            case=case,
            actor=actor,
            outcome=outcome,
            closing_message=closing_message,
            via=via,
        )
    if status == Status.NEW and case.status == Status.OFFERED:
        return case_accept(case=case, actor=actor, via=via)
    _require_handler(actor, case)
    _require_open(case)
    if status not in SUPPORTER_STATUS_MOVES:
        raise ValidationError({"status": _("A case cannot be moved to that status.")})
    _require_taken(case)
    case.status = status
    case.save(update_fields=["status"])
    audit(case=case, actor=actor, action=CaseAccess.Action.UPDATE, via=via)
    return case


def _month_start(moment):
    """The first instant of the moment's month where reports count months: the site's time
    zone, not UTC (an evening request on the last day of a month west of Greenwich is
    already the next month in UTC)."""
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# Retention: the person is warned in their conversation this long before the purge.
PURGE_WARNING_DAYS = 7


case_purge_date = selectors.case_purge_date


def purge_warnings_send(*, now=None) -> int:
    """Warn each person whose closed case will soon be purged, once, in their conversation:
    the date, and that they can download their conversation and plan before then."""
    now = now or timezone.now()
    warned = 0
    closing = Case.objects.filter(
        status=Status.CLOSED, closed_at__isnull=False, purged=False
    ).select_related("program")
    already = set(
        Message.objects.filter(case__in=closing, sender=Message.Sender.PROGRAM).values_list(
            "case_id", flat=True
        )
    )
    for case in closing:
        deletes_at = case.closed_at + timedelta(days=case.program.retention_days)
        if case.pk in already or deletes_at - timedelta(days=PURGE_WARNING_DAYS) > now:
            continue
        body = _(
            "This conversation and your safety plan will be deleted on %(date)s. If you want "
            "to keep them, download a copy or print it from this page before then."
        ) % {"date": formats.date_format(timezone.localdate(deletes_at), "DATE_FORMAT")}
        Message.objects.create(
            case=case, sender=Message.Sender.PROGRAM, body=body, created_at=coarse_now()
        )
        warned += 1
    return warned


def cases_purge_expired(*, now=None) -> int:
    """Purge closed and withdrawn requests once their program's retention has passed.

    Everything said or noted goes, with the receipt code's hash, the preferences, the
    supporter and the history. What stays is an anonymous skeleton for the reports, with its
    times cut to the month: deleting rows would shrink past months' counts and tell a
    watcher when a case closed.
    """
    now = now or timezone.now()
    purge_warnings_send(now=now)
    purged = 0
    programs: dict = {}
    expired = Case.objects.filter(
        status__in=[Status.CLOSED, Status.WITHDRAWN], closed_at__isnull=False, purged=False
    ).select_related("program")
    for case in expired:
        if case.closed_at >= now - timedelta(days=case.program.retention_days):
            continue
        with transaction.atomic():
            case.messages.all().delete()
            case.notes.all().delete()
            case.referrals.all().delete()
            case.events.all().delete()
            SafetyPlan.objects.filter(case=case).delete()
            PlanProposal.objects.filter(case=case).delete()
            Case.objects.filter(pk=case.pk).update(
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
                created_at=_month_start(case.created_at),
                requester_seen_at=_month_start(case.created_at),
                last_contact_at=None,
                closed_at=_month_start(case.closed_at),
            )
            versions.changed(case.program_id)  # update() sends no signal
        purged += 1
        programs[case.program] = programs.get(case.program, 0) + 1
    for program, count in programs.items():
        audit_record(
            program=program,
            actor=None,
            action=AuditEntry.Action.PURGE,
            target="requests",
            data={"requests": count},
        )
    if programs:
        # The skeletons keep every past month's figures; forget the cached ones all the same.
        reports.report_cache_bump(program_ids={p.pk for p in programs})
    return purged


# Routing: the write that follows from eligibility ------------------------------------


def case_route(*, case_id, returned: bool = False) -> None:
    """After intake or a decline: auto-assign if the program wants it, and tell coordinators.

    When nobody is eligible the request is marked `no_match`, so the requester's status
    page says so honestly, and coordinators hear about it at once.
    """
    case = Case.objects.select_related("program").get(pk=case_id)
    if case.status != Case.Status.QUEUED:
        return
    offered = False
    try:
        best = eligibility.candidates(case=case).first()
        if best is None:
            _no_match_set(case, True)
        else:
            _no_match_set(case, False)
            if case.program.auto_assign:
                case_offer(case=case, supporter=best, actor=None)
                offered = True
    except ValidationError:
        # Someone else changed the request meanwhile; coordinators are still told below.
        logger.warning("Routing request %s was overtaken by another change.", case.pk)
    except Exception:
        # The request is saved and waits in the queue; the requester must still get their
        # receipt code, so a routing failure is logged (never content) and not raised.
        logger.exception("Routing request %s failed; it waits for a coordinator.", case.pk)
    notifications.request_arrived(case_id=case.pk, returned=returned, offered=offered)


@transaction.atomic
def _no_match_set(case: Case, no_match: bool) -> None:
    if case.no_match == no_match:
        return
    case.no_match = no_match
    case.save(update_fields=["no_match"])
    if no_match:
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.NO_MATCH)


@task()
def route_case(*, case_id: str) -> None:
    """Route a new request after intake: auto-assign, no-match and the coordinators' nudge.

    Only the request's id travels in the queue (never its text). Running it again for the
    same request does nothing more: the row is locked and only a request still waiting in
    the queue is routed, so a retried or doubled task cannot offer it twice.
    """
    with transaction.atomic():
        status = (
            Case.objects.select_for_update()
            .filter(pk=case_id)
            .values_list("status", flat=True)
            .first()
        )
        if status != Case.Status.QUEUED:
            return
        case_route(case_id=case_id)
