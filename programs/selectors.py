"""Reads, already scoped to what the caller may see."""

import pickle
import time
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from privacy.crypto import EncryptedTextField

from . import eligibility, permissions
from .models import (
    Case,
    HelpResource,
    Language,
    Message,
    Program,
    ReferralKind,
    SupporterProfile,
    Unit,
)


def program_get_public(*, slug: str, with_help: bool = True, memo: bool = False) -> Program:
    """A program's public face: anyone may see its pages and crisis lines.

    Without `with_help` its crisis lines and help are read only if asked for (the API's
    intake answers with them only when a request shows crisis).

    With `memo`, the program and its help come from this worker's memo when no change has
    stamped the program since they were read (see `memo_stamps_from`): a change through
    this worker shows at once, through another within a second. Each caller gets its own
    copy, so nothing it changes reaches another request."""
    if memo and _memo_stamp is not None:
        return _program_from_memo(slug)
    if not with_help:
        return get_object_or_404(Program, slug=slug)
    return _program_with_help(slug)


def _program_with_help(slug: str) -> Program:
    return get_object_or_404(
        Program.objects.prefetch_related(
            # Into a list: a prefetched ParentalKey manager must never be filtered
            # (see Program.help_resource_list).
            Prefetch(
                "help_resources",
                queryset=HelpResource.objects.order_by("sort_order", "pk"),
                to_attr="prefetched_help_resources",
            )
        ),
        slug=slug,
    )


# slug -> (program id, when its reading began: wall clock in ns and monotonic seconds,
# the pickled program with its help). Kept pickled: each caller unpickles its own copy.
_public_memo: dict[str, tuple[int, int, float, bytes]] = {}
_memo_stamp = None
# A backstop only, as for cached pages: freshness is decided by the program's stamp.
MEMO_SECONDS = 10 * 60


def memo_stamps_from(stamp_of) -> None:
    """`stamp_of(program_id)` answers when the program, its crisis lines, help or units last
    changed (ns since the epoch, or None if unknown). cms.pagecache hands its program stamps
    over at start-up: every save of those rows stamps them (programs imports no cms)."""
    global _memo_stamp
    _memo_stamp = stamp_of


def _memo_fresh(program_id: int, started: int, kept_since: float) -> bool:
    if time.monotonic() - kept_since > MEMO_SECONDS or time.time_ns() < started:
        return False  # kept too long, or the clock went back: the stamps cannot be compared
    try:
        stamp = _memo_stamp(program_id)
    except Exception:  # the shared cache is down: read the row, as without the memo
        return False
    return stamp is not None and stamp < started


def _program_from_memo(slug: str) -> Program:
    kept = _public_memo.get(slug)
    if kept is not None and _memo_fresh(*kept[:3]):
        return pickle.loads(kept[3])  # noqa: S301 (pickled by this process)
    _public_memo.pop(slug, None)
    started, kept_since = time.time_ns(), time.monotonic()
    program = _program_with_help(slug)
    # Whether the request form asks about units (a unit's save stamps the program too).
    program.prefetched_units = list(
        Unit.objects.filter(program=program).order_by("sort_order", "pk")
    )
    # Which reading this is: a page made from it is as fresh as the program itself.
    program.memo_read_at = started
    pickled = pickle.dumps(program, pickle.HIGHEST_PROTOCOL)
    _public_memo[slug] = (program.pk, started, kept_since, pickled)
    return program


def program_get_for_user(*, user, slug: str, perm: str, only=()) -> Program:
    """The program if the user holds the permission in it; otherwise a 404. With `only`,
    just those fields are read (the others would each cost a query when used)."""
    programs = permissions.programs_for(user, perm)
    return get_object_or_404(programs.only(*only) if only else programs, slug=slug)


def help_resources(
    *, program: Program, crisis_only: bool = False, exclude_crisis: bool = False
) -> list[HelpResource]:
    """This program's help resources only, in order: all, only crisis lines, or all but them."""
    resources = program.help_resource_list()
    if crisis_only:
        return [r for r in resources if r.kind == HelpResource.Kind.CRISIS]
    if exclude_crisis:
        return [r for r in resources if r.kind != HelpResource.Kind.CRISIS]
    return list(resources)


def intake_choices(*, program: Program) -> dict:
    """The choices a request to this program may make, as querysets: the web form validates
    against them and the API's public face lists them, so both offer the same."""
    return {
        "channels": list(program.offered_channels()),
        "topics": program.topics.all(),
        "languages": Language.objects.all(),
        # Query the units: a prefetched ParentalKey manager would match any program's.
        "units": Unit.objects.filter(program=program).order_by("sort_order", "pk"),
    }


def program_pages_visible(*, program: Program, user) -> bool:
    """A program's own pages: public once it has opened; while it is getting ready, only
    for the people who hold a role in it (anyone else gets a 404)."""
    if not program.is_getting_ready:
        return True
    return (
        permissions.programs_with_any(user, permissions.ALL_PERMISSIONS)
        .filter(pk=program.pk)
        .exists()
    )


def program_intake_face(*, program: Program) -> dict:
    """What anyone may know before asking this program for help: whether it is open, its
    limits of confidentiality, the choices its request form offers, and its crisis lines."""
    choices = intake_choices(program=program)
    return {
        "program": program,
        "state": program.state,
        "accepts_requests": program.accepts_requests,
        "is_open": program.accepts_requests,
        "confidentiality_limits": program.confidentiality_limits,
        "channels": choices["channels"],
        "topics": list(choices["topics"]),
        "languages": list(choices["languages"]),
        "units": list(choices["units"]),
        "crisis_lines": help_resources(program=program, crisis_only=True),
    }


# The requester's status page, on the web and through the API.

NOT_YET_ACCEPTED = (Case.Status.QUEUED, Case.Status.OFFERED)

# The help a referral kind points at, among the program's own resources.
REFERRAL_RESOURCES = {
    ReferralKind.EAP: [HelpResource.Kind.EAP],
    ReferralKind.CLINICIAN: [HelpResource.Kind.CLINICAL],
    ReferralKind.CRISIS: [HelpResource.Kind.CRISIS],
    ReferralKind.OTHER: [
        HelpResource.Kind.CLINICAL,
        HelpResource.Kind.HELPLINE,
        HelpResource.Kind.PEER_GROUP,
        HelpResource.Kind.ONLINE,
        HelpResource.Kind.COMMUNITY,
    ],
}


def requester_conversation(*, case: Case) -> list[Message]:
    """In the order sent (by id): stored times are rounded to the hour and can tie or, for
    a requester's message against a supporter's exact time, even run backwards."""
    return list(case.messages.order_by("id"))


def requester_closed_view(*, case: Case) -> dict:
    """What a requester reads once their case is closed: the closing message, and each kind
    of help their supporter suggested with how to reach it. Never who suggested what to whom."""
    closing = case.messages.filter(is_closing=True).order_by("-id").first()
    kinds = dict.fromkeys(case.referrals.order_by("id").values_list("kind", flat=True))
    suggestions = [
        {
            "kind": ReferralKind(kind).label,
            "resources": list(
                HelpResource.objects.filter(
                    program_id=case.program_id, kind__in=REFERRAL_RESOURCES[kind]
                ).order_by("sort_order", "pk")
            ),
        }
        for kind in kinds
        if kind in REFERRAL_RESOURCES
    ]
    return {"closing_message": closing, "suggestions": suggestions}


def requester_status(*, case: Case) -> dict:
    """What a requester reads with their code, on the web page and through the API alike.

    The supporter's limits of confidentiality reach the requester as soon as the request is
    offered to them; their name only once they have accepted it.
    """
    supporter = case.assigned_to
    accepted = supporter is not None and case.status not in NOT_YET_ACCEPTED
    closed = case.status == Case.Status.CLOSED
    return {
        "program": case.program.slug,
        "status": case.status,
        "is_open": case.is_open,
        "waiting_for_match": case.status == Case.Status.QUEUED and case.no_match,
        "supporter": None
        if supporter is None
        else {
            "display_name": supporter.display_name if accepted else None,
            "confidentiality_limits": supporter.confidentiality_limits,
        },
        "messages": requester_conversation(case=case),
        "closed": requester_closed_view(case=case) if closed else None,
        "deletes_on": case_purge_date(case),
        "retention_days": case.program.retention_days,
    }


def case_purge_date(case: Case):
    """The day retention deletes a closed case's conversation and plan; None while open."""
    if case.closed_at is None or case.is_open or case.purged:
        return None
    return timezone.localdate(case.closed_at + timedelta(days=case.program.retention_days))


# The peer champion's caseload and the coordinator view. Every selector below runs a
# fixed number of queries, however many cases or supporters there are.


def caseload_profiles(*, user) -> list[SupporterProfile]:
    """The user's own supporter profiles, in programs where they hold a caseload,
    with their load, their training ledger (`ledger`) and why no requests reach them."""
    programs = permissions.programs_for(user, permissions.HOLD_CASELOAD)
    profiles = list(
        eligibility.supporter_standing(
            SupporterProfile.objects.filter(user=user, program__in=programs)
        )
        .select_related("program")
        .order_by("program__name")
    )
    ledger = eligibility.training_ledger(supporters=[p.pk for p in profiles]) if profiles else {}
    for profile in profiles:
        profile.ledger = ledger.get(profile.pk, [])
        profile.blockers = eligibility.blockers(profile)
    return profiles


STALE_DAYS = (30, 14)
NEEDS_CONTACT = [
    Case.Status.NEW,
    Case.Status.CONTACTED,
    Case.Status.ACTIVE,
    Case.Status.REFERRED,
]


def _with_activity(qs):
    last = Message.objects.filter(case=OuterRef("pk")).order_by("-id")
    return qs.annotate(
        last_sender=Subquery(last.values("sender")[:1]),
        last_message_at=Subquery(last.values("created_at")[:1]),
    )


def _flag(case, now) -> None:
    """Mark what needs doing: a reply owed, or no contact in 14 or 30 days."""
    case.needs_reply = case.last_sender == Message.Sender.REQUESTER and case.status in NEEDS_CONTACT
    since = case.last_contact_at or case.created_at
    days = (now - since).days
    case.days_since_contact = days
    case.stale_days = (
        next((d for d in STALE_DAYS if days >= d), 0) if case.status in NEEDS_CONTACT else 0
    )


def caseload_cases(*, user, closed_limit: int = 20) -> dict:
    """The user's own cases, grouped for the caseload page: offered, needs reply, by status."""
    # The program is prefetched, not joined: a caseload holds one or two programs, so the
    # page builds those few, not one full Program row per case. The requester's contact
    # detail and alias stay encrypted: no list shows them.
    base = (
        _with_activity(permissions.own_cases(user))
        .defer("contact_detail", "alias")
        .prefetch_related("program", "topics")
    )
    open_cases = list(base.filter(status__in=Case.ACTIVE_CASE_STATUSES))
    closed = list(base.filter(status=Case.Status.CLOSED).order_by("-closed_at")[:closed_limit])
    now = timezone.now()
    for case in open_cases:
        _flag(case, now)
    groups = {status: [] for status in NEEDS_CONTACT}
    for case in open_cases:
        if case.status in groups:
            groups[case.status].append(case)
    return {
        # Every open case, crisis first then the longest waiting: the API's caseload.
        "open": sorted(open_cases, key=lambda c: (not c.crisis_flag, c.created_at, c.pk)),
        "offered": [c for c in open_cases if c.status == Case.Status.OFFERED],
        "needs_reply": sorted(
            (c for c in open_cases if c.needs_reply), key=lambda c: c.last_message_at
        ),
        "stale": [c for c in open_cases if c.stale_days],
        "by_status": [(Case.Status(s), groups[s]) for s in NEEDS_CONTACT],
        "closed": closed,
    }


def caseload_case_get(*, user, case_id) -> Case:
    """One of the user's own cases; anyone else's (or none) is a 404."""
    try:
        return (
            permissions.own_cases(user)
            .select_related("program", "assigned_to", "assigned_to__user", "preferred_language")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_record(*, case: Case, user) -> dict:
    """What a handler reads on a case page, on the web and through the API: conversation,
    notes (once accepted), referrals, history, and whether the contact detail shows."""
    notes = permissions.can_read_notes(user, case)
    return {
        "show_contact": permissions.can_see_contact(user, case),
        "conversation": list(case.messages.order_by("id")),
        "notes": list(case.notes.select_related("author")) if notes else [],
        "referrals": list(case.referrals.order_by("created_at")),
        "events": list(case.events.select_related("supporter", "actor").order_by("id")),
        "topics": list(case.topics.all()),
    }


URGENCY_ORDER = models.Case(
    When(urgency="urgent", then=Value(0)),
    When(urgency="soon", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def coordinator_queue(*, program):
    """Requests waiting for a supporter: urgent first, then unassigned before those offered
    and not yet accepted, then by urgency and the longest waiting; with the first message."""
    first = Message.objects.filter(case=OuterRef("pk"), sender=Message.Sender.REQUESTER)
    return (
        Case.objects.filter(
            program=program,
            status__in=[Case.Status.QUEUED, Case.Status.OFFERED],
        )
        .annotate(
            urgency_rank=URGENCY_ORDER,
            is_offered=models.Case(
                When(status=Case.Status.OFFERED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            first_text=Subquery(
                first.order_by("id").values("body")[:1], output_field=EncryptedTextField()
            ),
        )
        .select_related("program", "assigned_to", "preferred_language", "excluded_unit")
        .prefetch_related("topics")
        .order_by("-crisis_flag", "is_offered", "urgency_rank", "created_at", "pk")
    )


def coordinator_cases(*, program) -> list[Case]:
    """Accepted open cases of the program (no content): handovers asked for first."""
    cases = list(
        eligibility.with_handover_pending(
            _with_activity(Case.objects.filter(program=program, status__in=NEEDS_CONTACT))
        )
        .select_related("assigned_to")
        .order_by("-crisis_flag", "created_at", "pk")
    )
    now = timezone.now()
    for case in cases:
        _flag(case, now)
    cases.sort(key=lambda c: (not c.handover_pending, not c.crisis_flag, -c.stale_days))
    return cases


def coordinator_supporters(*, program) -> list[SupporterProfile]:
    """The program's roster (not retired) with load, training standing and wellbeing."""
    supporters = list(
        eligibility.with_load(
            SupporterProfile.objects.filter(program=program).exclude(
                status=SupporterProfile.Status.RETIRED
            )
        )
        .select_related("user", "unit", "program")
        .order_by("display_name", "pk")
    )
    ledger = (
        eligibility.training_ledger(supporters=[s.pk for s in supporters]) if supporters else {}
    )
    for supporter in supporters:
        supporter.ledger = ledger.get(supporter.pk, [])
        supporter.lapsed = [row for row in supporter.ledger if row.blocks_matching]
        supporter.expiring = [
            row for row in supporter.ledger if row.state == eligibility.LEDGER_EXPIRING
        ]
    return supporters


MAX_ID = 2**31 - 1


def roster_entries(*, program: Program, user, entry_id: int | None = None):
    """The program's roster as its admins and coordinators read it, each entry with
    `trained`; the case load (`load`) and lived experience (`lived_experience_shown`) only
    for those who assign, or the supporter themself, else None: lived experience is
    health-related personal data used only for matching, and an HR admin needs neither."""
    entries = (
        SupporterProfile.objects.filter(program=program)
        .select_related("user", "unit", "program")
        .prefetch_related("languages", "lived_experience")
        .order_by("display_name", "pk")
    )
    if entry_id is not None:
        if not isinstance(entry_id, int) or not 0 < entry_id <= MAX_ID:
            raise Http404
        entries = entries.filter(pk=entry_id)
    entries = list(entries)
    if entry_id is not None and not entries:
        raise Http404
    trained = set(eligibility.trained_supporters(program=program).values_list("pk", flat=True))
    assigns = permissions.user_can(user, permissions.TRIAGE, program)
    loads = (
        dict(
            eligibility.with_load(SupporterProfile.objects.filter(program=program)).values_list(
                "pk", "active_cases"
            )
        )
        if assigns
        else {}
    )
    for entry in entries:
        entry.trained = entry.pk in trained
        entry.load = loads.get(entry.pk, 0) if assigns else None
        entry.lived_experience_shown = (
            [topic.slug for topic in entry.lived_experience.all()]
            if assigns or entry.user_id == user.pk
            else None
        )
    return entries


def coordinator_case_get(*, user, program, case_id) -> Case:
    """A case of this program for one of its coordinators; otherwise a 404."""
    case = permissions.require_case(user, case_id)
    if case.program_id != program.pk or not permissions.can_triage_case(user, case):
        raise Http404
    return case


# The public directory of a program's help.


def help_directory_choices(*, program: Program) -> dict:
    """What the directory's filters offer: only the kinds, regions and languages this
    program's own resources have."""
    resources = HelpResource.objects.filter(program=program)
    kinds_used = set(resources.values_list("kind", flat=True))
    return {
        "kinds": [
            (value, label) for value, label in HelpResource.Kind.choices if value in kinds_used
        ],
        "regions": sorted(
            set(resources.exclude(region="").values_list("region", flat=True)), key=str.casefold
        ),
        "languages": list(
            Language.objects.filter(
                pk__in=HelpResource.languages.through.objects.filter(
                    helpresource__program=program
                ).values("language_id")
            )
        ),
    }


def help_directory(
    *, program: Program, kind: str = "", region: str = "", language: str = ""
) -> list[HelpResource]:
    """A program's help resources and nothing of another program's, filtered by kind, region
    and language (each optional), crisis lines first, each with its `language_list`."""
    resources = HelpResource.objects.filter(program=program)
    if kind:
        resources = resources.filter(kind=kind)
    if region:
        # A resource with no region serves everywhere, so it matches every region.
        resources = resources.filter(models.Q(region=region) | models.Q(region=""))
    if language:
        resources = resources.filter(languages__code=language)
    crisis_first = models.Case(
        When(kind=HelpResource.Kind.CRISIS, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        resources.prefetch_related(Prefetch("languages", to_attr="language_list"))
        .annotate(crisis_first=crisis_first)
        .order_by("crisis_first", "sort_order", "pk")
        .distinct()
    )
