"""Ranking eligible supporters for a request, in the database, with the reasons shown."""

from django.db import transaction
from django.db.models import (
    Case,
    Count,
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
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    CaseEvent,
    SupporterProfile,
    SupportRequest,
    TrainingCompletion,
    TrainingRequirement,
)

SHARED_EXPERIENCE_POINTS = 10
GENDER_POINTS = 5
LOAD_PENALTY = 3


def _count(qs, field: str):
    """A correlated COUNT subquery that is 0 when nothing matches."""
    return Coalesce(
        Subquery(
            qs.order_by().values(field).annotate(n=Count("*")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def trained_supporters(*, program, on=None) -> QuerySet[SupporterProfile]:
    """Supporters whose every required training is complete and not expired."""
    today = on or timezone.localdate()
    required = TrainingRequirement.objects.filter(program=program, is_required=True).count()
    valid = TrainingCompletion.objects.filter(
        supporter=OuterRef("pk"),
        requirement__program=program,
        requirement__is_required=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    valid_count = Coalesce(
        Subquery(
            valid.order_by()
            .values("supporter")
            .annotate(n=Count("requirement", distinct=True))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return (
        SupporterProfile.objects.filter(program=program)
        .annotate(valid_training=valid_count)
        .filter(valid_training__gte=required)
    )


def with_load(qs: QuerySet[SupporterProfile]) -> QuerySet[SupporterProfile]:
    active = SupportRequest.objects.filter(
        assigned_to=OuterRef("pk"), status__in=SupportRequest.ACTIVE_CASE_STATUSES
    )
    return qs.annotate(
        active_cases=_count(active, "assigned_to"),
        case_cap=Coalesce(F("max_active_cases"), F("program__default_caseload_cap")),
    )


def candidates(*, request: SupportRequest) -> QuerySet[SupporterProfile]:
    """Eligible supporters for the request, best first, annotated with why."""
    program = request.program
    qs = trained_supporters(program=program).filter(
        status=SupporterProfile.Status.ACTIVE,
        user__is_active=True,
        **{SupporterProfile.channel_field(request.channel): True},
    )
    if request.excluded_unit_id:
        qs = qs.exclude(unit_id=request.excluded_unit_id)
    if request.preferred_language_id:
        qs = qs.filter(languages=request.preferred_language_id)
    declined = CaseEvent.objects.filter(request=request, kind=CaseEvent.Kind.DECLINED).values(
        "supporter_id"
    )
    qs = qs.exclude(pk__in=declined)
    if request.assigned_to_id:
        qs = qs.exclude(pk=request.assigned_to_id)
    qs = with_load(qs).filter(active_cases__lt=F("case_cap"))

    topic_ids = list(request.topics.values_list("pk", flat=True))
    through = SupporterProfile.lived_experience.through
    shared = through.objects.filter(supporterprofile_id=OuterRef("pk"), topic_id__in=topic_ids)
    gender = (
        Case(When(gender__iexact=request.preferred_gender, then=Value(1)), default=Value(0))
        if request.preferred_gender
        else Value(0)
    )
    weight = SHARED_EXPERIENCE_POINTS * (2 if request.wants_shared_experience else 1)
    qs = qs.annotate(
        shared_topics=_count(shared, "supporterprofile_id") if topic_ids else Value(0),
        gender_match=gender,
    ).annotate(
        score=ExpressionWrapper(
            F("shared_topics") * weight
            + F("gender_match") * GENDER_POINTS
            - F("active_cases") * LOAD_PENALTY,
            output_field=IntegerField(),
        )
    )
    return qs.select_related("user", "unit").order_by("-score", "active_cases", "pk")


def explain(supporter: SupporterProfile, request: SupportRequest) -> list[str]:
    """Plain reasons for a candidate's rank, from the annotations of `candidates`."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    reasons = []
    if supporter.shared_topics:
        reasons.append(
            ngettext(
                "shares lived experience of %(n)d topic",
                "shares lived experience of %(n)d topics",
                supporter.shared_topics,
            )
            % {"n": supporter.shared_topics}
        )
    if supporter.gender_match:
        reasons.append(_("matches the gender preference"))
    reasons.append(
        _("%(a)d of %(c)d cases in use") % {"a": supporter.active_cases, "c": supporter.case_cap}
    )
    return reasons


def request_route(*, request_id) -> None:
    """After intake: auto-assign if the program wants it, and tell coordinators."""
    from . import cases, notifications

    request = SupportRequest.objects.select_related("program").get(pk=request_id)
    best = candidates(request=request).first()
    if best is None:
        with transaction.atomic():
            request.no_match = True
            request.save(update_fields=["no_match"])
            CaseEvent.objects.create(request=request, kind=CaseEvent.Kind.NO_MATCH)
    elif request.program.auto_assign:
        cases.request_offer(request=request, supporter=best, actor=None)
    notifications.request_arrived(request_id=request.pk)
