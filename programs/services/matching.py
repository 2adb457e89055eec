"""Ranking eligible supporters for a request, in the database, with the reasons shown.

One set of rules (`RULES`, built in `_rules`) serves every use: the candidates for one
request, the best few for a whole queue in one query, and why a supporter is *not*
eligible. Supporters are paired with requests by a join through their program, so the
request's wishes are columns of the same row and every rule is plain SQL.
"""

import logging
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
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
    Window,
)
from django.db.models.functions import Coalesce, Lower, RowNumber, Trim
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import (
    CaseEvent,
    Channel,
    SupporterProfile,
    SupportRequest,
    TrainingCompletion,
    TrainingRequirement,
)

logger = logging.getLogger(__name__)

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


def _lapsed_training(today):
    """True when a required training of the supporter's program has no valid completion."""
    valid = TrainingCompletion.objects.filter(
        supporter_id=OuterRef(OuterRef("pk")), requirement_id=OuterRef("pk")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return Exists(
        TrainingRequirement.objects.filter(
            program_id=OuterRef("program_id"), is_required=True
        ).filter(~Exists(valid))
    )


def trained_supporters(*, program, on=None) -> QuerySet[SupporterProfile]:
    """Supporters whose every required training is complete and not expired."""
    rule = _rules(on)["training"]
    return SupporterProfile.objects.filter(program=program).filter(rule)


def with_load(qs: QuerySet[SupporterProfile]) -> QuerySet[SupporterProfile]:
    """Annotate `active_cases` (offered or open cases held) and `case_cap`."""
    active = SupportRequest.objects.filter(
        assigned_to=OuterRef("pk"), status__in=SupportRequest.ACTIVE_CASE_STATUSES
    )
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


def _pairs(requests, *, ready_only: bool, on=None) -> QuerySet[SupporterProfile]:
    """Supporters paired with the given requests of their program, scored.

    The request's fields arrive as `req_*` aliases; all later rules refer to those names,
    so the join through the program is made once. With `ready_only`, only supporters who
    pass the supporter rules are paired (see `_ready`); otherwise everyone is.
    `requests` are SupportRequest objects; their ids go into the SQL as literals so that the
    database looks each one up by its key.
    """
    request_ids = sorted({r.pk for r in requests})
    program_ids = sorted({r.program_id for r in requests})
    qs = SupporterProfile.objects.all()
    if ready_only:
        qs = qs.filter(pk__in=_ready(program_ids, on=on).values("pk"))
    qs = (
        qs.filter(program_id__in=program_ids, program__requests__pk__in=request_ids)
        .annotate(req_pk=F("program__requests__id"))
        .alias(
            req_channel=F("program__requests__channel"),
            req_language=F("program__requests__preferred_language_id"),
            req_excluded_unit=F("program__requests__excluded_unit_id"),
            req_assigned=F("program__requests__assigned_to_id"),
            req_wants_shared=F("program__requests__wants_shared_experience"),
            req_gender=Lower(Trim(F("program__requests__preferred_gender"))),
            own_gender=Lower(Trim("gender")),
        )
    )
    shared = SupportRequest.topics.through.objects.filter(
        supportrequest_id=OuterRef("req_pk"),
        topic_id__in=SupporterProfile.lived_experience.through.objects.filter(
            supporterprofile_id=OuterRef(OuterRef("pk"))
        ).values("topic_id"),
    )
    return (
        with_load(qs)
        .annotate(
            shared_topics=_count(shared, "supportrequest_id"),
            gender_match=Case(
                When(Q(req_gender__gt="") & Q(own_gender=F("req_gender")), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            shared_weight=Case(
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
        request_id=OuterRef("req_pk"),
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


def _eligible(requests, *, batch: bool) -> QuerySet[SupporterProfile]:
    """Eligible pairs. For one request a single pass over the roster is quickest; for a
    batch, the supporter rules are settled once first (see `_ready`)."""
    rules = _rules()
    if batch:
        return _pairs(requests, ready_only=True).filter(*(rules[n] for n in PAIR_RULES))
    return _pairs(requests, ready_only=False).filter(*(rules[n] for n in RULES))


def candidates(*, request: SupportRequest) -> QuerySet[SupporterProfile]:
    """Eligible supporters for the request, best first, annotated with why."""
    return (
        _eligible([request], batch=False)
        .select_related("user", "unit")
        .order_by("-score", "active_cases", "pk")
    )


def ranked_for_requests(*, requests, per_request: int = 3) -> dict:
    """The best few candidates for each request, in one query: {request id: [supporters]}.

    `requests` is a list of SupportRequest objects (a queryset is read first). Each
    supporter carries `eligible_count`, the number of eligible supporters in all.
    """
    requests = list(requests)
    if not requests:
        return {}
    order = [F("score").desc(), F("active_cases").asc(), F("pk").asc()]
    rows = (
        _eligible(requests, batch=True)
        .order_by()
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("req_pk")], order_by=order),
            eligible_count=Window(Count("*"), partition_by=[F("req_pk")]),
        )
        .filter(rank__lte=per_request)
    )
    ranked: dict = {}
    for supporter in sorted(rows, key=lambda s: s.rank):
        ranked.setdefault(supporter.req_pk, []).append(supporter)
    return ranked


def assess(*, request: SupportRequest) -> list[SupporterProfile]:
    """Every supporter of the program, with `failed` listing the rules they do not meet.

    For coordinators: the reasons someone is not among the candidates.
    """
    rules = _rules()
    flags = {
        f"ok_{name}": ExpressionWrapper(rules[name], output_field=BooleanField()) for name in RULES
    }
    supporters = list(
        _pairs([request], ready_only=False)
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


def explain(supporter: SupporterProfile, request: SupportRequest) -> list[str]:
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


def request_route(*, request_id, returned: bool = False) -> None:
    """After intake or a decline: auto-assign if the program wants it, and tell coordinators.

    When nobody is eligible the request is marked `no_match`, so the requester's status
    page says so honestly, and coordinators hear about it at once.
    """
    from . import cases, notifications

    request = SupportRequest.objects.select_related("program").get(pk=request_id)
    if request.status != SupportRequest.Status.QUEUED:
        return
    offered = False
    try:
        best = candidates(request=request).first()
        if best is None:
            _no_match_set(request, True)
        else:
            _no_match_set(request, False)
            if request.program.auto_assign:
                cases.request_offer(request=request, supporter=best, actor=None)
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
