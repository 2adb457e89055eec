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

# The order in which reasons for not being eligible are shown.
RULES = (
    "status",
    "account",
    "training",
    "capacity",
    "channel",
    "language",
    "unit",
    "declined",
    "current",
)


def _count(qs, field: str):
    """A correlated COUNT subquery that is 0 when nothing matches."""
    return Coalesce(
        Subquery(
            qs.order_by().values(field).annotate(n=Count("*")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _valid_training(today):
    """How many of the program's required trainings the supporter holds, unexpired, on `today`."""
    valid = TrainingCompletion.objects.filter(
        supporter=OuterRef("pk"),
        requirement__program=OuterRef("program_id"),
        requirement__is_required=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return Coalesce(
        Subquery(
            valid.order_by()
            .values("supporter")
            .annotate(n=Count("requirement", distinct=True))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _required_training():
    required = TrainingRequirement.objects.filter(program=OuterRef("program_id"), is_required=True)
    return _count(required, "program")


def with_training(qs: QuerySet[SupporterProfile], *, on=None) -> QuerySet[SupporterProfile]:
    """Annotate `valid_training` and `required_training` (counts), computed in SQL."""
    today = on or timezone.localdate()
    return qs.annotate(
        valid_training=_valid_training(today), required_training=_required_training()
    )


def trained_supporters(*, program, on=None) -> QuerySet[SupporterProfile]:
    """Supporters whose every required training is complete and not expired."""
    return with_training(SupporterProfile.objects.filter(program=program), on=on).filter(
        valid_training__gte=F("required_training")
    )


def with_load(qs: QuerySet[SupporterProfile]) -> QuerySet[SupporterProfile]:
    """Annotate `active_cases` (offered or open cases held) and `case_cap`."""
    active = SupportRequest.objects.filter(
        assigned_to=OuterRef("pk"), status__in=SupportRequest.ACTIVE_CASE_STATUSES
    )
    return qs.annotate(
        active_cases=_count(active, "assigned_to"),
        case_cap=Coalesce(F("max_active_cases"), F("program__default_caseload_cap")),
    )


def _pairs(requests: QuerySet[SupportRequest], *, on=None) -> QuerySet[SupporterProfile]:
    """Every supporter paired with every given request of their program, scored.

    The request's fields arrive as `req_*` annotations; all later rules refer to those
    names, so the join through the program is made once and never repeated.
    """
    qs = SupporterProfile.objects.filter(program__requests__in=requests).annotate(
        req_pk=F("program__requests__id"),
        req_channel=F("program__requests__channel"),
        req_language=F("program__requests__preferred_language_id"),
        req_excluded_unit=F("program__requests__excluded_unit_id"),
        req_assigned=F("program__requests__assigned_to_id"),
        req_wants_shared=F("program__requests__wants_shared_experience"),
        req_gender=Lower(Trim(F("program__requests__preferred_gender"))),
    )
    qs = with_load(with_training(qs, on=on))
    shared = SupportRequest.topics.through.objects.filter(
        supportrequest_id=OuterRef("req_pk"),
        topic_id__in=SupporterProfile.lived_experience.through.objects.filter(
            supporterprofile_id=OuterRef(OuterRef("pk"))
        ).values("topic_id"),
    )
    qs = qs.annotate(own_gender=Lower(Trim("gender")))
    return qs.annotate(
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
    ).annotate(
        score=ExpressionWrapper(
            F("shared_topics") * F("shared_weight")
            + F("gender_match") * GENDER_POINTS
            - F("active_cases") * LOAD_PENALTY,
            output_field=IntegerField(),
        )
    )


def _rules() -> dict[str, Q]:
    """Each eligibility rule as a condition on a scored pair (see `_pairs`)."""
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
        "training": Q(valid_training__gte=F("required_training")),
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


def _eligible(requests: QuerySet[SupportRequest]) -> QuerySet[SupporterProfile]:
    rules = _rules()
    return _pairs(requests).filter(*(rules[name] for name in RULES))


def candidates(*, request: SupportRequest) -> QuerySet[SupporterProfile]:
    """Eligible supporters for the request, best first, annotated with why."""
    return (
        _eligible(SupportRequest.objects.filter(pk=request.pk))
        .select_related("user", "unit")
        .order_by("-score", "active_cases", "pk")
    )


def ranked_for_requests(*, requests: QuerySet[SupportRequest], per_request: int = 3) -> dict:
    """The best few candidates for each request, in one query: {request id: [supporters]}.

    Each supporter carries `eligible_count`, the number of eligible supporters in all.
    """
    order = [F("score").desc(), F("active_cases").asc(), F("pk").asc()]
    rows = (
        _eligible(requests)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("req_pk")], order_by=order),
            eligible_count=Window(Count("*"), partition_by=[F("req_pk")]),
        )
        .filter(rank__lte=per_request)
        .order_by("req_pk", "rank")
    )
    ranked: dict = {}
    for supporter in rows:
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
        _pairs(SupportRequest.objects.filter(pk=request.pk))
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
    notifications.request_arrived(request_id=request.pk, returned=returned, offered=offered)


@transaction.atomic
def _no_match_set(request: SupportRequest, no_match: bool) -> None:
    if request.no_match == no_match:
        return
    request.no_match = no_match
    request.save(update_fields=["no_match"])
    if no_match:
        CaseEvent.objects.create(request=request, kind=CaseEvent.Kind.NO_MATCH)
