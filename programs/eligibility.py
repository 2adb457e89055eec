"""Who may take which request, and why: eligibility, ranking and their explanations.

A read module: it imports models (and nothing from `programs.services`), so services,
selectors and views may all use it. The one write that follows from it, routing a new or
returned request, is `services.cases.case_route`.

One set of rules (`RULES`, built in `_rules`) serves every use: the candidates for one
request, the best few for a whole queue in one query, why a supporter is *not* eligible
(`assess`/`why_not` for coordinators, `blockers` in the supporter's own words), and the
training ledger. Supporters are paired with requests by a join through their program, so
the request's wishes are columns of the same row and every rule is plain SQL.

One exception, for speed: ranking a whole queue (`ranked_for_cases`) settles the supporter
rules in SQL once, then takes the pair rules as set operations in memory
(`_pair_eligible`), because a queue of 20 over 5,000 supporters is 100,000 pairs. A
property test over generated rosters holds it equal to `candidates`, rule for rule.
"""

import copy
import heapq
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import (
    Case,
    CaseEvent,
    Channel,
    Message,
    SupporterProfile,
    TrainingCompletion,
    TrainingRequirement,
)

SHARED_EXPERIENCE_POINTS = 10
GENDER_POINTS = 5
LOAD_PENALTY = 3

# Rules that depend on the supporter alone, then rules about this supporter and this request.
# Also the order in which reasons for not being eligible are shown.
SUPPORTER_RULES = ("status", "account", "training", "capacity")
PAIR_RULES = ("channel", "language", "unit", "declined", "current")
RULES = SUPPORTER_RULES + PAIR_RULES


def _count(qs, field: str):
    """A correlated COUNT subquery that is 0 when nothing matches."""
    return Coalesce(
        Subquery(
            qs.order_by().values(field).annotate(n=Count("*")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def completion_valid_on(today) -> Q:
    """A training completion counts on `today`: it never expires or has not expired yet.

    The one definition of lapsed training: the matching rule below and the training ledger
    (`training_ledger`, `LedgerRow.blocks_matching`) both use it.
    """
    return Q(expires_on__isnull=True) | Q(expires_on__gte=today)


def _lapsed_training(today):
    """True when a required training of the supporter's program has no valid completion."""
    valid = TrainingCompletion.objects.filter(
        supporter_id=OuterRef(OuterRef("pk")), requirement_id=OuterRef("pk")
    ).filter(completion_valid_on(today))
    return Exists(
        TrainingRequirement.objects.filter(
            program_id=OuterRef("program_id"), is_required=True
        ).filter(~Exists(valid))
    )


def trained_supporters(*, program, on=None) -> QuerySet[SupporterProfile]:
    """Supporters whose every required training is complete and not expired."""
    rule = _rules(on)["training"]
    return SupporterProfile.objects.filter(program=program).filter(rule)


def able_supporters(*, program, on=None) -> QuerySet[SupporterProfile]:
    """Supporters who could take a request if they had room: active, with an active
    account and every required training valid. The launch checklist counts these."""
    rules = _rules(on)
    return SupporterProfile.objects.filter(program=program).filter(
        rules["status"], rules["account"], rules["training"]
    )


def with_load(qs: QuerySet[SupporterProfile]) -> QuerySet[SupporterProfile]:
    """Annotate `active_cases` (offered or open cases held) and `case_cap`."""
    active = Case.objects.filter(assigned_to=OuterRef("pk"), status__in=Case.ACTIVE_CASE_STATUSES)
    return qs.annotate(
        active_cases=_count(active, "assigned_to"),
        case_cap=Coalesce(F("max_active_cases"), F("program__default_caseload_cap")),
    )


def _ready(program_ids, *, on=None) -> QuerySet[SupporterProfile]:
    """Supporters of these programs who meet every rule about themselves alone.

    Used as an uncorrelated `IN (...)` subquery, so the database works out each
    supporter's training and load once, not once per request.
    """
    rules = _rules(on)
    qs = with_load(SupporterProfile.objects.filter(program_id__in=program_ids))
    return qs.filter(*(rules[name] for name in SUPPORTER_RULES))


def _pairs(cases, *, ready_only: bool = False) -> QuerySet[SupporterProfile]:
    """Supporters paired with the given requests of their program, scored.

    The request's fields arrive as `req_*` aliases; all later rules refer to those names,
    so the join through the program is made once. With `ready_only`, only supporters who
    pass the supporter rules are paired (see `_ready`); otherwise everyone is.
    `requests` are Case objects; their ids go into the SQL as literals so that the
    database looks each one up by its key.
    """
    case_ids = sorted({r.pk for r in cases})
    program_ids = sorted({r.program_id for r in cases})
    qs = SupporterProfile.objects.all()
    if ready_only:
        qs = qs.filter(pk__in=_ready(program_ids).values("pk"))
    qs = (
        qs.filter(program_id__in=program_ids, program__cases__pk__in=case_ids)
        .annotate(req_pk=F("program__cases__id"))
        .alias(
            req_channel=F("program__cases__channel"),
            req_language=F("program__cases__preferred_language_id"),
            req_excluded_unit=F("program__cases__excluded_unit_id"),
            req_assigned=F("program__cases__assigned_to_id"),
            req_wants_shared=F("program__cases__wants_shared_experience"),
            req_gender=Lower(Trim(F("program__cases__preferred_gender"))),
            own_gender=Lower(Trim("gender")),
        )
    )
    shared = Case.topics.through.objects.filter(
        case_id=OuterRef("req_pk"),
        topic_id__in=SupporterProfile.lived_experience.through.objects.filter(
            supporterprofile_id=OuterRef(OuterRef("pk"))
        ).values("topic_id"),
    )
    return (
        with_load(qs)
        .annotate(
            shared_topics=_count(shared, "case_id"),
            gender_match=models.Case(
                When(Q(req_gender__gt="") & Q(own_gender=F("req_gender")), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            shared_weight=models.Case(
                When(req_wants_shared=True, then=Value(2 * SHARED_EXPERIENCE_POINTS)),
                default=Value(SHARED_EXPERIENCE_POINTS),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            score=ExpressionWrapper(
                F("shared_topics") * F("shared_weight")
                + F("gender_match") * GENDER_POINTS
                - F("active_cases") * LOAD_PENALTY,
                output_field=IntegerField(),
            )
        )
    )


def _rules(on=None) -> dict[str, Q]:
    """Each eligibility rule as a condition on a scored pair (see `_pairs`)."""
    today = on or timezone.localdate()
    languages = SupporterProfile.languages.through.objects.filter(
        supporterprofile_id=OuterRef("pk"), language_id=OuterRef("req_language")
    )
    declined = CaseEvent.objects.filter(
        case_id=OuterRef("req_pk"),
        kind=CaseEvent.Kind.DECLINED,
        supporter_id=OuterRef("pk"),
    )
    channel = reduce(
        or_,
        (
            Q(req_channel=c.value, **{SupporterProfile.channel_field(c.value): True})
            for c in Channel
        ),
    )
    return {
        "status": Q(status=SupporterProfile.Status.ACTIVE),
        "account": Q(user__is_active=True),
        "training": ~_lapsed_training(today),
        "capacity": Q(active_cases__lt=F("case_cap")),
        "channel": channel,
        "language": Q(req_language__isnull=True) | Exists(languages),
        # Never the unit the requester asked us to avoid; supporters without a unit are fine.
        "unit": Q(req_excluded_unit__isnull=True)
        | Q(unit__isnull=True)
        | ~Q(unit_id=F("req_excluded_unit")),
        "declined": ~Exists(declined),
        "current": Q(req_assigned__isnull=True) | ~Q(pk=F("req_assigned")),
    }


def _eligible(cases, *, batch: bool) -> QuerySet[SupporterProfile]:
    """Eligible pairs. For one request a single pass over the roster is quickest; for a
    batch, the supporter rules are settled once first (see `_ready`)."""
    rules = _rules()
    if batch:
        return _pairs(cases, ready_only=True).filter(*(rules[n] for n in PAIR_RULES))
    return _pairs(cases).filter(*(rules[n] for n in RULES))


def candidates(*, case: Case) -> QuerySet[SupporterProfile]:
    """Eligible supporters for the request, best first, annotated with why."""
    return (
        _eligible([case], batch=False)
        .select_related("user", "unit")
        .order_by("-score", "active_cases", "pk")
    )


class _Roster:
    """The facts the queue ranking needs about every ready supporter of some programs.

    Read once per ranking: the supporters who meet every supporter rule (`_ready`, SQL, the
    one definition of those rules), with their load, channels, unit, languages and lived
    experience. Genders arrive normalised by the database, as `_pairs` compares them.
    """

    def __init__(self, program_ids, *, languages, topics):
        channels = [SupporterProfile.channel_field(c.value) for c in Channel]
        rows = _ready(program_ids).values_list(
            "pk",
            "program_id",
            "active_cases",
            "case_cap",
            "unit_id",
            Lower(Trim("gender")),
            *channels,
        )
        self.by_program: dict[int, set[int]] = {}
        self.by_unit: dict[int, set[int]] = {}
        self.by_gender: dict[str, set[int]] = {}
        self.load, self.cap = {}, {}
        offering = [(c.value, set()) for c in Channel]
        for pk, program_id, load, cap, unit, gender, *offers in rows:
            self.load[pk], self.cap[pk] = load, cap
            self.by_program.setdefault(program_id, set()).add(pk)
            self.by_unit.setdefault(unit, set()).add(pk)
            self.by_gender.setdefault(gender, set()).add(pk)
            for (_channel, supporters), offered in zip(offering, offers, strict=True):
                if offered:
                    supporters.add(pk)
        self.offering = dict(offering)
        # Only the languages and topics the cases ask for matter to their ranking.
        self.speaking = self._sets(SupporterProfile.languages.through, "language_id", languages)
        self.lived = self._sets(SupporterProfile.lived_experience.through, "topic_id", topics)
        self.lived_by_supporter: dict[int, set[int]] = {}
        for topic, supporters in self.lived.items():
            for pk in supporters:
                self.lived_by_supporter.setdefault(pk, set()).add(topic)

    def _sets(self, through, field: str, values) -> dict[int, set[int]]:
        """{language or topic: the ready supporters who have it}."""
        found: dict[int, set[int]] = {}
        rows = through.objects.filter(
            supporterprofile__program_id__in=list(self.by_program), **{f"{field}__in": values}
        )
        for pk, value in rows.values_list("supporterprofile_id", field):
            if pk in self.load:
                found.setdefault(value, set()).add(pk)
        return found


def _pair_eligible(roster: _Roster, case: dict, declined: set[int]) -> set[int]:
    """The ready supporters who meet every pair rule for this case.

    The same rules as `_rules` (channel, language, unit, declined, current), taken as set
    operations over facts read once; `tests/programs/test_matching.py` holds the two equal
    over generated rosters and requests.
    """
    eligible = roster.by_program.get(case["program_id"], set()) & roster.offering[case["channel"]]
    if case["preferred_language_id"] is not None:
        eligible &= roster.speaking.get(case["preferred_language_id"], set())
    if case["excluded_unit_id"] is not None:
        eligible -= roster.by_unit.get(case["excluded_unit_id"], set())
    eligible -= declined
    eligible.discard(case["assigned_to_id"])
    return eligible


def _best(roster: _Roster, case: dict, eligible: set[int], wanted: set[int], per_case: int):
    """The top `per_case` of the eligible by score, fewest cases, then id (as `candidates`
    orders them), each as (-score, load, pk, shared topics, shared weight, gender match)."""
    weight = SHARED_EXPERIENCE_POINTS * (2 if case["wants_shared_experience"] else 1)
    gender = case["gender"] or ""
    gendered = roster.by_gender.get(gender, set()) if gender else set()

    def scored(pk):
        shared = len(wanted & roster.lived_by_supporter.get(pk, set())) if wanted else 0
        match = 1 if pk in gendered else 0
        load = roster.load[pk]
        score = shared * weight + match * GENDER_POINTS - load * LOAD_PENALTY
        return (-score, load, pk, shared, weight, match)

    # Supporters who share a topic are scored one by one. For the others the score falls
    # with the load alone (the gender bonus aside), so only the few least loaded of each
    # group can come first.
    sharing = {pk for topic in wanted for pk in roster.lived.get(topic, ())} & eligible
    matching = (gendered & eligible) - sharing
    least_loaded = [
        heapq.nsmallest(per_case, group, key=lambda pk: (roster.load[pk], pk))
        for group in (matching, eligible - sharing - matching)
    ]
    return heapq.nsmallest(per_case, map(scored, sharing.union(*least_loaded)))


def ranked_for_cases(*, cases, per_case: int = 3) -> dict:
    """The best few candidates for each case: {case id: [supporters]}, in a fixed number of
    queries however long the queue and however large the roster.

    `cases` is a list of Case objects (a queryset is read first). Each supporter carries
    `eligible_count`, the number of eligible supporters in all, and the annotations
    `explain` reads. The supporter rules run in SQL once for the whole roster; the pair
    rules and the score are then worked out in memory (`_pair_eligible`), since a queue of
    20 over 5,000 supporters is 100,000 pairs.
    """
    cases = list(cases)
    if not cases:
        return {}
    case_ids = [c.pk for c in cases]
    # The cases' wishes as stored (the objects given may be stale), genders normalised.
    wishes = {
        row["pk"]: row
        for row in Case.objects.filter(pk__in=case_ids).values(
            "pk",
            "program_id",
            "channel",
            "preferred_language_id",
            "excluded_unit_id",
            "assigned_to_id",
            "wants_shared_experience",
            gender=Lower(Trim("preferred_gender")),
        )
    }
    topics: dict = {}
    for case_id, topic_id in Case.topics.through.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "topic_id"
    ):
        topics.setdefault(case_id, set()).add(topic_id)
    declined: dict = {}
    for case_id, supporter_id in CaseEvent.objects.filter(
        case_id__in=case_ids, kind=CaseEvent.Kind.DECLINED, supporter__isnull=False
    ).values_list("case_id", "supporter_id"):
        declined.setdefault(case_id, set()).add(supporter_id)
    roster = _Roster(
        sorted({row["program_id"] for row in wishes.values()}),
        languages={row["preferred_language_id"] for row in wishes.values()} - {None},
        topics=set().union(*topics.values()),
    )

    chosen: dict = {}
    for case in (wishes[pk] for pk in case_ids if pk in wishes):
        eligible = _pair_eligible(roster, case, declined.get(case["pk"], set()))
        best = _best(roster, case, eligible, topics.get(case["pk"], set()), per_case)
        if best:
            chosen[case["pk"]] = (best, len(eligible))

    profiles = SupporterProfile.objects.in_bulk(
        {row[2] for best, _count in chosen.values() for row in best}
    )
    ranked: dict = {}
    for case_id, (best, count) in chosen.items():
        for rank, (score, load, pk, shared, weight, match) in enumerate(best, start=1):
            supporter = copy.copy(profiles[pk])  # one supporter may rank for several cases
            supporter.req_pk, supporter.rank, supporter.eligible_count = case_id, rank, count
            supporter.score, supporter.active_cases = -score, load
            supporter.case_cap = roster.cap[pk]
            supporter.shared_topics, supporter.shared_weight = shared, weight
            supporter.gender_match = match
            ranked.setdefault(case_id, []).append(supporter)
    return ranked


def assess(*, case: Case) -> list[SupporterProfile]:
    """Every supporter of the program, with `failed` listing the rules they do not meet.

    For coordinators: the reasons someone is not among the candidates.
    """
    rules = _rules()
    flags = {
        f"ok_{name}": ExpressionWrapper(rules[name], output_field=BooleanField()) for name in RULES
    }
    supporters = list(
        _pairs([case])
        .annotate(**flags)
        .select_related("user", "unit")
        .order_by("display_name", "pk")
    )
    for supporter in supporters:
        supporter.failed = [name for name in RULES if not getattr(supporter, f"ok_{name}")]
    return supporters


def why_not(supporter: SupporterProfile) -> list[str]:
    """Plain reasons for an assessed supporter not being a candidate."""
    reasons = {
        "status": _("status is “%(s)s”") % {"s": supporter.get_status_display()},
        "account": _("their account is switched off"),
        "training": _("required training is missing or has expired"),
        "capacity": _("at capacity (%(a)d of %(c)d cases)")
        % {"a": supporter.active_cases, "c": supporter.case_cap},
        "channel": _("does not offer the way of meeting asked for"),
        "language": _("does not speak the language asked for"),
        "unit": _("is in the unit the requester excluded"),
        "declined": _("already declined this request"),
        "current": _("already holds this request"),
    }
    return [reasons[name] for name in getattr(supporter, "failed", [])]


def explain(supporter: SupporterProfile, case: Case) -> list[str]:
    """Plain reasons for a candidate's rank, from the annotations of `candidates`."""
    reasons = []
    if supporter.shared_topics:
        points = supporter.shared_topics * supporter.shared_weight
        reasons.append(
            ngettext(
                "shares lived experience of %(n)d topic (+%(p)d)",
                "shares lived experience of %(n)d topics (+%(p)d)",
                supporter.shared_topics,
            )
            % {"n": supporter.shared_topics, "p": points}
        )
    if supporter.gender_match:
        reasons.append(_("matches the gender preference (+%(p)d)") % {"p": GENDER_POINTS})
    reasons.append(
        _("%(a)d of %(c)d cases in use (−%(p)d)")
        % {
            "a": supporter.active_cases,
            "c": supporter.case_cap,
            "p": supporter.active_cases * LOAD_PENALTY,
        }
    )
    reasons.append(_("score %(s)d") % {"s": supporter.score})
    return reasons


def is_candidate(*, case: Case, supporter: SupporterProfile) -> bool:
    """The supporter may be offered this request now."""
    return candidates(case=case).filter(pk=supporter.pk).exists()


# A supporter's own standing: the supporter rules alone, in their own words ---------------


def supporter_standing(qs: QuerySet[SupporterProfile], *, on=None) -> QuerySet[SupporterProfile]:
    """`with_load`, plus `ok_<rule>` for each rule about the supporter alone."""
    rules = _rules(on)
    flags = {
        f"ok_{name}": ExpressionWrapper(rules[name], output_field=BooleanField())
        for name in SUPPORTER_RULES
    }
    return with_load(qs).annotate(**flags)


@dataclass
class LedgerRow:
    """One training requirement as it stands for one supporter."""

    requirement: TrainingRequirement
    state: str  # one of the LEDGER_* values below
    expires_on: date | None
    completed_on: date | None
    valid: bool = True  # a completion counts today (`completion_valid_on`)

    @property
    def blocks_matching(self) -> bool:
        return self.requirement.is_required and not self.valid


LEDGER_DONE = "done"  # complete, never expires
LEDGER_VALID = "valid"  # complete until `expires_on`
LEDGER_EXPIRING = "expiring"  # complete, but expires within EXPIRING_SOON_DAYS
LEDGER_EXPIRED = "expired"
LEDGER_MISSING = "missing"
EXPIRING_SOON_DAYS = 92


def training_ledger(*, supporters, today: date | None = None) -> dict[int, list[LedgerRow]]:
    """Each supporter's standing on each requirement of their program: {profile id: rows}."""
    today = today or timezone.localdate()
    completions = TrainingCompletion.objects.filter(
        supporter_id=OuterRef("profile_pk"), requirement_id=OuterRef("pk")
    )
    rows = (
        TrainingRequirement.objects.filter(program__supporters__in=supporters)
        .annotate(profile_pk=F("program__supporters__pk"))
        .annotate(
            valid=Exists(completions.filter(completion_valid_on(today))),
            permanent=Exists(completions.filter(expires_on__isnull=True)),
            latest_expiry=Subquery(
                completions.filter(expires_on__isnull=False)
                .order_by("-expires_on")
                .values("expires_on")[:1]
            ),
            last_completed=Subquery(
                completions.order_by("-completed_on").values("completed_on")[:1]
            ),
        )
        .select_related("page")
        .order_by("profile_pk", "sort_order", "pk")
    )
    soon = today + timedelta(days=EXPIRING_SOON_DAYS)
    ledger: dict[int, list[LedgerRow]] = {}
    for requirement in rows:
        expiry = None if requirement.permanent else requirement.latest_expiry
        if requirement.permanent:
            state = LEDGER_DONE
        elif not requirement.valid:
            state = LEDGER_EXPIRED if expiry is not None else LEDGER_MISSING
        elif expiry <= soon:
            state = LEDGER_EXPIRING
        else:
            state = LEDGER_VALID
        ledger.setdefault(requirement.profile_pk, []).append(
            LedgerRow(requirement, state, expiry, requirement.last_completed, requirement.valid)
        )
    return ledger


def blockers(profile: SupporterProfile) -> list[str]:
    """Why a supporter receives no new requests, in their own words; empty if they do.

    `profile` comes from `supporter_standing` and carries its `ledger`; the reasons are the
    supporter rules it fails, so they are the rules matching applies.
    """
    reasons = []
    status = SupporterProfile.Status
    if not profile.ok_status:
        if profile.status == status.PAUSED:
            reasons.append(_("You have paused: no new requests reach you until you resume."))
        else:
            reasons.append(
                _("Your status is “%(s)s”; a coordinator makes you active when you are ready.")
                % {"s": profile.get_status_display()}
            )
    if not profile.ok_training:
        for row in (r for r in profile.ledger if r.blocks_matching):
            if row.state == LEDGER_EXPIRED:
                reasons.append(
                    _("Your “%(name)s” training expired on %(date)s.")
                    % {"name": row.requirement.name, "date": date_format(row.expires_on)}
                )
            else:
                reasons.append(
                    _("Your “%(name)s” training is not recorded yet.")
                    % {"name": row.requirement.name}
                )
    if not profile.ok_capacity:
        reasons.append(
            _("Your caseload is full (%(a)d of %(c)d).")
            % {"a": profile.active_cases, "c": profile.case_cap}
        )
    return reasons


# Who holds a case: a handover asked for and not yet done ---------------------------------


def with_handover_pending(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `handover_pending`: a handover was asked for since the case was last offered."""
    latest = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind__in=[CaseEvent.Kind.OFFERED, CaseEvent.Kind.HANDOVER]
    )
    return qs.annotate(
        latest_assignment_event=Subquery(latest.order_by("-id").values("kind")[:1])
    ).annotate(
        handover_pending=models.Case(
            When(latest_assignment_event=CaseEvent.Kind.HANDOVER, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def requester_waiting(*, case: Case) -> bool:
    """The requester wrote last: their message has had no answer yet."""
    last = case.messages.order_by("-id").values_list("sender", flat=True).first()
    return last == Message.Sender.REQUESTER


def handover_pending(*, case: Case) -> bool:
    """A handover was asked for since the case was last offered, and is not yet done."""
    rows = with_handover_pending(Case.objects.filter(pk=case.pk))
    return bool(rows.values_list("handover_pending", flat=True).first())
