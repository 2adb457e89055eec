"""The safety plan and the person's own copy, through the API (issue 15, issue 14 item 5).

The same services as the web pages (programs.services.plans) and the same permission
module: the person with their receipt code (in the body, or for a GET the X-Receipt-Code
header, never in the address), and the supporter who accepted the case while it is open.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from privacy import anonymous_route
from programs import selectors
from programs.services import plans

from .. import serializers as s
from .base import STAFF_ERRORS, VIA, WRITE_ERRORS, AnonymousAPIView, StaffAPIView, errors
from .base import validated as _validated
from .requester import _lookup

RECEIPT_HEADER = "X-Receipt-Code"


def _text(**kwargs):
    # No max_length here: the service says how long is too long, in the same words as the web.
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, **kwargs)


class PlanStepSerializer(serializers.Serializer):
    text = _text()
    target = _text(help_text="Optional target date, YYYY-MM-DD.")
    article = serializers.IntegerField(
        required=False, allow_null=True, help_text="A page id of one of the program's articles."
    )
    article_title = serializers.CharField(read_only=True)
    article_url = serializers.CharField(read_only=True)


class PlanCheckinSerializer(serializers.Serializer):
    on = serializers.DateField()
    by = serializers.ChoiceField(choices=[plans.BY_YOU, plans.BY_SUPPORTER])
    text = serializers.CharField()


class PlanSerializer(serializers.Serializer):
    warning_signs = _text()
    coping = _text()
    people_places = _text()
    people_to_ask = _text()
    services = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of the program's help resources (see the resources route).",
    )
    environment = _text()
    reasons = _text()
    goals = _text()
    support_wanted = _text()
    steps = PlanStepSerializer(many=True, required=False)
    checkins = PlanCheckinSerializer(many=True, read_only=True)
    new_checkin = _text(write_only=True, help_text="Adds a check-in dated today.")


class PlanResourceSerializer(s.HelpResourceSerializer):
    class Meta(s.HelpResourceSerializer.Meta):
        fields = ["id", *s.HelpResourceSerializer.Meta.fields]


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    note = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    plan = PlanSerializer()


class RequesterPlanSerializer(serializers.Serializer):
    plan = PlanSerializer()
    reach_out_now = PlanResourceSerializer(many=True, help_text="Crisis lines first.")
    proposals = ProposalSerializer(many=True)
    editable = serializers.BooleanField()
    deletes_on = serializers.DateField(allow_null=True)


class RequesterPlanInSerializer(s.ReceiptCodeInSerializer):
    receipt_code = serializers.CharField(max_length=64, required=False)
    plan = PlanSerializer(required=False)
    proposal = serializers.IntegerField(required=False)
    decision = serializers.ChoiceField(choices=["accept", "reject"], required=False)

    def validate(self, attrs):
        if "proposal" in attrs and "decision" not in attrs:
            raise serializers.ValidationError({"decision": _("Say accept or reject.")})
        if "proposal" not in attrs and "plan" not in attrs:
            raise serializers.ValidationError({"plan": _("Send the plan to save.")})
        return attrs


class SupporterPlanSerializer(serializers.Serializer):
    plan = PlanSerializer()
    pending = ProposalSerializer(allow_null=True)
    resources = PlanResourceSerializer(many=True)
    articles = serializers.ListField(child=serializers.DictField())


class ProposalInSerializer(serializers.Serializer):
    plan = PlanSerializer()
    note = _text()


def _with_articles(plan: dict, display: dict) -> dict:
    return {**plan, "steps": display["steps"]}


def _proposal_body(proposal) -> dict:
    return {
        "id": proposal.pk,
        "note": proposal.note,
        "status": proposal.status,
        "created_at": proposal.created_at,
        "plan": plans.proposal_plan(proposal=proposal),
    }


def _requester_body(view: dict) -> dict:
    reach = view["display"]["reach_out"]
    return {
        "plan": _with_articles(view["plan"], view["display"]),
        "reach_out_now": [*reach["crisis_lines"], *reach["services"]],
        "proposals": [_proposal_body(item["proposal"]) for item in view["proposals"]],
        "editable": view["editable"],
        "deletes_on": view["deletes_on"],
    }


def _code(request, data=None) -> str:
    if "receipt_code" in request.query_params:
        raise ValidationError(
            {"receipt_code": _("Never put the receipt code in the address; send it in the body.")}
        )
    code = (data or {}).get("receipt_code") or request.headers.get(RECEIPT_HEADER, "")
    if not code:
        raise ValidationError({"receipt_code": _("Send your receipt code.")})
    return code


def _plan_data(plan: dict) -> dict:
    return {**plan, "steps": [dict(step) for step in plan.get("steps", [])]}


CODE_HEADER = OpenApiParameter(
    RECEIPT_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False
)


@anonymous_route
class RequestPlanView(AnonymousAPIView):
    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Read my safety plan and roadmap, with any proposal from my supporter",
        description=f"The receipt code goes in the `{RECEIPT_HEADER}` header, never the URL.",
        parameters=[CODE_HEADER],
        responses={200: RequesterPlanSerializer, **errors(400, 404, 429)},
    )
    def get(self, request):
        case = _lookup(request, _code(request))
        view = plans.requester_plan(case=case, via=VIA)
        return Response(RequesterPlanSerializer(_requester_body(view)).data)

    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Save my plan, or accept (maybe changed) or reject a proposal",
        description=(
            "With `plan` alone: save my own plan. With `proposal` and `decision`: answer "
            "that proposal; `accept` with a `plan` accepts it with those changes. A closed "
            "case's plan answers 409: it can be read and downloaded, not changed."
        ),
        parameters=[CODE_HEADER],
        request=RequesterPlanInSerializer,
        responses={200: RequesterPlanSerializer, **errors(400, 404, 409, 413, 415, 429)},
    )
    def put(self, request):
        data = _validated(RequesterPlanInSerializer, request.data)
        case = _lookup(request, _code(request, data))
        if "proposal" in data:
            plans.proposal_decide(
                case=case,
                proposal_id=data["proposal"],
                accept=data["decision"] == "accept",
                data=_plan_data(data["plan"]) if "plan" in data else None,
                via=VIA,
            )
        else:
            plans.requester_plan_save(case=case, data=_plan_data(data["plan"]), via=VIA)
        view = plans.requester_plan(case=case, via=VIA)
        return Response(RequesterPlanSerializer(_requester_body(view)).data)


class CopyInSerializer(s.ReceiptCodeInSerializer):
    only_plan = serializers.BooleanField(default=False)


@anonymous_route
class RequestCopyView(AnonymousAPIView):
    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Download my conversation and plan as a text file",
        request=CopyInSerializer,
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR),
            **errors(400, 404, 413, 415, 429),
        },
    )
    def post(self, request):
        data = _validated(CopyInSerializer, request.data)
        case = _lookup(request, data["receipt_code"])
        copy = plans.requester_copy(case=case, include_conversation=not data["only_plan"], via=VIA)
        response = HttpResponse(copy["text"], content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="my-peer-support-copy.txt"'
        return response


def _supporter_case(request, case_id):
    return selectors.caseload_case_get(user=request.user, case_id=case_id)


def _supporter_body(view: dict) -> dict:
    return {
        "plan": _with_articles(view["plan"], view["display"]),
        "pending": _proposal_body(view["pending"]) if view["pending"] else None,
        "resources": view["resources"],
        "articles": [{"id": p.pk, "title": p.title, "url": p.url} for p in view["articles"]],
    }


class CasePlanView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="The person's plan (the supporter who accepted the case, while open)",
        responses={200: SupporterPlanSerializer, **errors(*STAFF_ERRORS)},
    )
    def get(self, request, case_id):
        case = _supporter_case(request, case_id)
        try:
            view = plans.supporter_plan(case=case, actor=request.user, via=VIA)
        except PermissionDenied as exc:
            raise Http404 from exc
        return Response(SupporterPlanSerializer(_supporter_body(view)).data)

    @extend_schema(
        tags=["supporter"],
        summary="Propose a plan or changes; the person accepts, changes or rejects it",
        request=ProposalInSerializer,
        responses={201: ProposalSerializer, **errors(*WRITE_ERRORS)},
    )
    def post(self, request, case_id):
        case = _supporter_case(request, case_id)
        data = _validated(ProposalInSerializer, request.data)
        try:
            proposal = plans.plan_propose(
                case=case,
                actor=request.user,
                data=_plan_data(data["plan"]),
                note=data.get("note", ""),
                via=VIA,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        return Response(ProposalSerializer(_proposal_body(proposal)).data, status=201)
