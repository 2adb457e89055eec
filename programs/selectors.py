"""Reads, already scoped to what the caller may see."""

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
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
    HelpResource,
    Message,
    Program,
    SupporterProfile,
    SupportRequest,
)


def program_get_public(*, slug: str) -> Program:
    """A program's public face: anyone may see its pages and crisis lines."""
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


def program_get_for_user(*, user, slug: str, perm: str) -> Program:
    """The program if the user holds the permission in it; otherwise a 404."""
    return get_object_or_404(permissions.programs_for(user, perm), slug=slug)


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
    SupportRequest.Status.NEW,
    SupportRequest.Status.CONTACTED,
    SupportRequest.Status.ACTIVE,
    SupportRequest.Status.REFERRED,
]


def _with_activity(qs):
    last = Message.objects.filter(request=OuterRef("pk")).order_by("-id")
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
    mine = permissions.cases_visible_to(user).filter(
        assigned_to__user=user,
        assigned_to__program__in=permissions.programs_for(user, permissions.HOLD_CASELOAD),
    )
    base = _with_activity(mine).select_related("program").prefetch_related("topics")
    open_cases = list(base.filter(status__in=SupportRequest.ACTIVE_CASE_STATUSES))
    closed = list(
        base.filter(status=SupportRequest.Status.CLOSED).order_by("-closed_at")[:closed_limit]
    )
    now = timezone.now()
    for case in open_cases:
        _flag(case, now)
    groups = {status: [] for status in NEEDS_CONTACT}
    for case in open_cases:
        if case.status in groups:
            groups[case.status].append(case)
    return {
        "offered": [c for c in open_cases if c.status == SupportRequest.Status.OFFERED],
        "needs_reply": sorted(
            (c for c in open_cases if c.needs_reply), key=lambda c: c.last_message_at
        ),
        "stale": [c for c in open_cases if c.stale_days],
        "by_status": [(SupportRequest.Status(s), groups[s]) for s in NEEDS_CONTACT],
        "closed": closed,
    }


def caseload_case_get(*, user, case_id) -> SupportRequest:
    """One of the user's own cases; anyone else's (or none) is a 404."""
    try:
        return (
            permissions.cases_visible_to(user)
            .filter(
                assigned_to__user=user,
                assigned_to__program__in=permissions.programs_for(user, permissions.HOLD_CASELOAD),
            )
            .select_related("program", "assigned_to", "assigned_to__user", "preferred_language")
            .get(pk=case_id)
        )
    except (SupportRequest.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_record(*, case: SupportRequest, user) -> dict:
    """What a handler reads on a case page: conversation, notes, referrals, history."""
    notes = permissions.can_read_notes(user, case)
    return {
        "conversation": list(case.messages.order_by("id")),
        "notes": list(case.notes.select_related("author")) if notes else [],
        "referrals": list(case.referrals.order_by("created_at")),
        "events": list(case.events.select_related("supporter", "actor").order_by("id")),
        "topics": list(case.topics.all()),
    }


URGENCY_ORDER = Case(
    When(urgency="urgent", then=Value(0)),
    When(urgency="soon", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def coordinator_queue(*, program):
    """Requests waiting for a supporter: urgent first, then unassigned before those offered
    and not yet accepted, then by urgency and the longest waiting; with the first message."""
    first = Message.objects.filter(request=OuterRef("pk"), sender=Message.Sender.REQUESTER)
    return (
        SupportRequest.objects.filter(
            program=program,
            status__in=[SupportRequest.Status.QUEUED, SupportRequest.Status.OFFERED],
        )
        .annotate(
            urgency_rank=URGENCY_ORDER,
            is_offered=Case(
                When(status=SupportRequest.Status.OFFERED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            first_text=Subquery(
                first.order_by("id").values("body")[:1], output_field=EncryptedTextField()
            ),
        )
        .select_related("assigned_to", "preferred_language", "excluded_unit")
        .prefetch_related("topics")
        .order_by("-crisis_flag", "is_offered", "urgency_rank", "created_at", "pk")
    )


def coordinator_cases(*, program) -> list[SupportRequest]:
    """Accepted open cases of the program (no content): handovers asked for first."""
    cases = list(
        eligibility.with_handover_pending(
            _with_activity(SupportRequest.objects.filter(program=program, status__in=NEEDS_CONTACT))
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


def coordinator_case_get(*, user, program, case_id) -> SupportRequest:
    """A case of this program for one of its coordinators; otherwise a 404."""
    case = permissions.require_case(user, case_id)
    if case.program_id != program.pk or not permissions.can_triage_case(user, case):
        raise Http404
    return case
