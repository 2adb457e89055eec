"""Anonymous intake and the requester's side of the conversation."""

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db import DatabaseBackend

from privacy import formtokens, ratelimit, receipts
from privacy.timeutils import coarse_now
from toolkit.database import insert_statement, write_together

from .. import crisis, versions
from ..models import (
    CHANNELS_NEEDING_CONTACT,
    Case,
    CaseAccess,
    CaseEvent,
    Channel,
    Language,
    Message,
    Program,
    SafetyPlan,
    Unit,
    Urgency,
)
from ..tasks import queued_row
from . import cases, notifications
from .limits import MAX_MESSAGE_LENGTH, validate_body

logger = logging.getLogger(__name__)

MAX_CONTACT_LENGTH = 200
MAX_ALIAS_LENGTH = 40
MAX_GENDER_LENGTH = 40
_CHANNELS, _URGENCIES = frozenset(Channel.values), frozenset(Urgency.values)


@dataclass
class Submission:
    case: Case
    receipt_code: str
    crisis: bool


@dataclass
class Reply:
    message: Message
    crisis: bool


def crisis_detected(*, program: Program, text: str, in_danger: bool) -> bool:
    """The explicit 'I am not safe' choice, or crisis wording: the built-in phrases
    (programs/crisis.py) or the program's own. Web intake, replies and the API all ask here."""
    if in_danger:
        return True
    return crisis.matches(text, program.crisis_phrase_list())


def not_open_message(program: Program) -> str:
    """Why a program takes no request now; the web page and the API say the same."""
    if program.is_getting_ready:
        return _(
            "This program is not open yet, so nothing was sent. The crisis lines on this "
            "page are always open."
        )
    return _(
        "This program is not taking new requests right now, so nothing was sent. "
        "The crisis lines on this page are always open."
    )


def _check_length(errors: dict, field: str, value: str, limit: int) -> None:
    if value and len(value) > limit:
        errors[field] = _("Please keep this under %(n)d characters (it is %(m)d now).") % {
            "n": limit,
            "m": len(value),
        }


def intake_validate(
    *,
    program: Program,
    message: str = "",
    topics=(),
    channel: str = Channel.MESSAGES,
    contact_detail: str = "",
    alias: str = "",
    preferred_gender: str = "",
    excluded_unit: Unit | None = None,
    urgency: str = Urgency.ROUTINE,
) -> None:
    """Every rule a request must meet, checked before anything is written."""
    if not program.accepts_requests:
        raise ValidationError(not_open_message(program), code="not_open")
    message = (message or "").strip()
    contact_detail = (contact_detail or "").strip()
    errors: dict[str, str] = {}
    _check_length(errors, "message", message, MAX_MESSAGE_LENGTH)
    _check_length(errors, "contact_detail", contact_detail, MAX_CONTACT_LENGTH)
    _check_length(errors, "alias", (alias or "").strip(), MAX_ALIAS_LENGTH)
    _check_length(errors, "preferred_gender", (preferred_gender or "").strip(), MAX_GENDER_LENGTH)
    if channel not in _CHANNELS or channel not in program.offered_channels():
        errors["channel"] = _("This program does not offer that way of meeting.")
    elif channel in CHANNELS_NEEDING_CONTACT and not contact_detail:
        errors["contact_detail"] = _(
            "To be contacted this way, leave a phone number or email address. "
            "Or choose anonymous messages."
        )
    allowed = set(program.topics.values_list("pk", flat=True)) if topics else set()
    if any(getattr(t, "pk", None) not in allowed for t in topics):
        errors["topics"] = _("Choose topics from the list.")
    if excluded_unit is not None and excluded_unit.program_id != program.pk:
        errors["excluded_unit"] = _("Choose from this program's list.")
    if urgency not in _URGENCIES:
        errors["urgency"] = _("Choose how soon you would like to hear from someone.")
    if errors:
        raise ValidationError(errors)


def case_submit(
    *,
    program: Program,
    message: str = "",
    topics=(),
    channel: str = Channel.MESSAGES,
    contact_detail: str = "",
    alias: str = "",
    wants_shared_experience: bool = False,
    preferred_gender: str = "",
    preferred_language: Language | None = None,
    excluded_unit: Unit | None = None,
    urgency: str = Urgency.ROUTINE,
    in_danger: bool = False,
    client_key: str | None = None,
    form_token: dict | None = None,
) -> Submission:
    """Store an anonymous request; the receipt code is returned once and never stored.

    With a client_key, valid submissions count against the intake rate limit and
    ratelimit.RateLimited is raised once it is used up.

    `form_token`, a web form's one-time token that formtokens.check let through, is spent
    in the intake's own statement once the request is valid (formtokens.Replayed if it was
    spent before): it is spent only if the case is kept.
    """
    topic_list = list(topics)
    intake_validate(
        program=program,
        message=message,
        topics=topic_list,
        channel=channel,
        contact_detail=contact_detail,
        alias=alias,
        preferred_gender=preferred_gender,
        excluded_unit=excluded_unit,
        urgency=urgency,
    )
    message = (message or "").strip()
    contact_detail = (contact_detail or "").strip()
    crisis = crisis_detected(program=program, text=message, in_danger=in_danger)
    code = receipts.generate()
    now = coarse_now()
    case = Case(
        program=program,
        receipt_hash=receipts.digest(code),
        channel=channel,
        contact_detail=contact_detail if channel in CHANNELS_NEEDING_CONTACT else "",
        alias=(alias or "").strip(),
        wants_shared_experience=wants_shared_experience,
        preferred_gender=(preferred_gender or "").strip(),
        preferred_language=preferred_language,
        excluded_unit=excluded_unit,
        urgency=Urgency.URGENT if crisis else urgency,
        in_danger=in_danger,
        crisis_flag=crisis,
        created_at=now,
        requester_seen_at=now,
    )
    rows = [case]
    if message:
        rows.append(
            Message(case=case, sender=Message.Sender.REQUESTER, body=message, created_at=now)
        )
    if crisis:
        rows.append(CaseEvent(case=case, kind=CaseEvent.Kind.FLAGGED, created_at=now))
    topic_ids = dict.fromkeys(topic.pk for topic in topic_list)
    rows += [Case.topics.through(case_id=case.pk, topic_id=pk) for pk in topic_ids]
    # Routing, auto-assignment and the coordinators' nudge run in the background: the
    # requester's answer never waits for them. A backend that runs tasks at once (the demo,
    # the tests) is called once the case is committed.
    routed_at_once = not isinstance(cases.route_case.get_backend(), DatabaseBackend)
    if not routed_at_once:
        # The routing task's row is written with the case: a case is never kept without it.
        rows.append(queued_row(cases.route_case, case_id=str(case.pk)))
    # Counted per program, with the program's own limit: a workplace behind one address
    # should not be locked out by another program's traffic, nor by a strict default.
    limit = {"client_limit": program.intake_limit_per_hour}
    client = f"{program.pk}:{client_key}"
    in_database = ratelimit.in_database()  # else in a cache (Redis, memcached), on their own
    count = spend = ratelimit.Count({}, {})
    if client_key is not None and in_database:
        count = ratelimit.allowance("intake", client, **limit)
    if form_token is not None and in_database:
        spend = formtokens.spending(form_token)
    # The program's data version (programs.versions: the coordinator's queue shows the
    # request) is raised in the same statement as the counts.
    expiries = {**count.expiries, **spend.expiries, **versions.raised_in_transaction(program.pk)}
    try:
        # Counts in a cache are taken on their own, so a refusal there must undo the rows.
        with transaction.atomic() if not in_database else nullcontext():
            if form_token is not None and not in_database:
                formtokens.use(form_token)
            # The rows and the counts (the token's among them) in one statement on
            # PostgreSQL, atomic by itself (in turn in one transaction on SQLite): a limit
            # used up or a token spent before (each count's ceiling) refuses it whole.
            write_together(
                [insert_statement(row) for row in rows],
                ratelimit.DatabaseCounter.hit_statement(
                    expiries, ceilings={**count.limits, **spend.limits}
                ),
            )
            case._state.adding, case._state.db = False, connection.alias
            cached_count = client_key is not None and not in_database
            if cached_count and not ratelimit.allow("intake", client, **limit):
                raise ratelimit.RateLimited
    except IntegrityError as exc:
        if not ratelimit.refused(exc):
            raise
        if form_token is not None and formtokens.spent(form_token):
            raise formtokens.Replayed from None
        raise ratelimit.RateLimited from None
    if routed_at_once:  # the demo and the tests: once the case is there to route
        transaction.on_commit(lambda: cases.route_case.enqueue(case_id=str(case.pk)))
    return Submission(case=case, receipt_code=code, crisis=crisis)


def _find(receipt_code: str) -> Case | None:
    digests = receipts.candidate_digests(receipt_code)
    if not digests:
        return None
    case = (
        Case.objects.select_related("program", "assigned_to")
        .filter(receipt_hash__in=digests)
        .first()
    )
    if case is None or case.status == Case.Status.WITHDRAWN:
        return None
    idle_limit = timedelta(days=case.program.requester_idle_days)
    if case.requester_seen_at < timezone.now() - idle_limit:
        return None
    if case.receipt_hash != digests[0]:
        case.receipt_hash = digests[0]  # moved onto the current SECRET_KEY
        Case.objects.filter(pk=case.pk).update(receipt_hash=digests[0])
    return case


def case_lookup(*, receipt_code: str, client_key: str | None = None) -> Case | None:
    """The request behind a code, or None for any code that is unknown, malformed, withdrawn
    or idle past the program's limit: the caller cannot tell these apart.

    With a client_key, failed look-ups count against the look-up rate limit, and once this
    client (or everyone) has used it up ratelimit.RateLimited is raised, even for a good code.
    """
    if client_key is not None and ratelimit.exceeded("lookup", client_key):
        raise ratelimit.RateLimited
    case = _find(receipt_code)
    if case is None:
        if client_key is not None:
            ratelimit.allow("lookup", client_key)
        return None
    now = coarse_now()
    if case.requester_seen_at != now:
        case.requester_seen_at = now
        Case.objects.filter(pk=case.pk).update(requester_seen_at=now)
    CaseAccess.objects.create(
        case_id=case.pk,
        program=case.program,
        action=CaseAccess.Action.REQUESTER_VIEW,
        at=now,
    )
    return case


@transaction.atomic
def requester_reply(*, case: Case, body: str) -> Reply:
    """The requester answers in their conversation; `crisis` says whether to show the crisis
    lines now (the web page and the API both read it here)."""
    body = validate_body(body)
    if not case.is_open:
        raise ValidationError(_("This conversation is closed. You can make a new request."))
    now = coarse_now()
    message = Message.objects.create(
        case=case, sender=Message.Sender.REQUESTER, body=body, created_at=now
    )
    if case.status == Case.Status.CONTACTED:
        case.status = Case.Status.ACTIVE
        case.save(update_fields=["status"])
    CaseAccess.objects.create(
        case_id=case.pk,
        program=case.program,
        action=CaseAccess.Action.REQUESTER_REPLY,
        at=now,
    )
    crisis = crisis_detected(program=case.program, text=body, in_danger=False)
    if crisis and not case.crisis_flag:
        case.crisis_flag = True
        case.urgency = Urgency.URGENT
        case.save(update_fields=["crisis_flag", "urgency"])
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.FLAGGED, created_at=now)
    transaction.on_commit(lambda: notifications.requester_replied(case_id=case.pk))
    return Reply(message=message, crisis=crisis)


@transaction.atomic
def requester_withdraw(*, case: Case) -> None:
    """The requester ends an open request; its content is deleted at once."""
    if not case.is_open:
        raise ValidationError(_("This conversation is already closed."))
    now = coarse_now()
    case.status = Case.Status.WITHDRAWN
    case.closed_at = now
    case.contact_detail = ""
    case.alias = ""
    case.save(update_fields=["status", "closed_at", "contact_detail", "alias"])
    case.messages.all().delete()
    case.notes.all().delete()
    case.plan_proposals.all().delete()
    SafetyPlan.objects.filter(case=case).delete()
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.WITHDRAWN, created_at=now)
