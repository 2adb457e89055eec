"""The program's audit trail for its admins: the same reads as the audit page; audited."""

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from programs import permissions, selectors_audit
from programs.models import AuditEntry
from programs.services.audit import audit_read_record

from ..permissions import program_for
from .base import VIA, StaffAPIView, errors

PAGE_SIZE = 50
FILTERS = {"action", "since", "until", "case", "page"}


class AuditFilterInSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=AuditEntry.Action.choices, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    case = serializers.CharField(required=False, max_length=40)
    page = serializers.IntegerField(required=False, min_value=1, default=1)

    def validate_case(self, value):
        if selectors_audit.case_ref_normalise(value) is None:
            raise serializers.ValidationError(
                _("Enter the case number as staff see it: letters a–f and digits.")
            )
        return value

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError(
                {"until": _("The end date is before the start date.")}
            )
        return attrs


class AuditEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.SerializerMethodField()
    target = serializers.CharField()
    data = serializers.JSONField()

    def get_actor(self, entry) -> str | None:
        return (entry.actor.get_full_name() or entry.actor.email) if entry.actor else None


class CaseAccessRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    via = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    name = serializers.CharField()


class CaseAccessSerializer(serializers.Serializer):
    case = serializers.CharField()
    accesses = CaseAccessRowSerializer(many=True)


class AuditPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = AuditEntrySerializer(many=True)
    case_access = CaseAccessSerializer(many=True, required=False)


class AuditView(StaffAPIView):
    @extend_schema(
        tags=["admin"],
        summary="The program's audit trail (program admins); reading it is recorded",
        parameters=[
            OpenApiParameter("action", OpenApiTypes.STR, enum=AuditEntry.Action.values),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
            OpenApiParameter("case", OpenApiTypes.STR, description="A case's short number."),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses={200: AuditPageSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, slug):
        program = program_for(request.user, slug, permissions.ADMINISTER)
        unknown = sorted(set(request.query_params) - FILTERS)
        if unknown:
            raise ValidationError({key: _("Unknown filter.") for key in unknown})
        filters = AuditFilterInSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        entries = selectors_audit.audit_entries(
            program=program,
            action=data.get("action"),
            since=data.get("since"),
            until=data.get("until"),
        )
        paginator = Paginator(entries, PAGE_SIZE)
        try:
            page = paginator.page(data["page"])
        except InvalidPage:
            raise ValidationError({"page": _("There is no such page.")}) from None
        body = {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "results": list(page),
        }
        ref = data.get("case")
        if ref:
            body["case_access"] = [
                {
                    "case": str(case.pk)[:8],
                    "accesses": selectors_audit.case_access_for_admin(program=program, case=case),
                }
                for case in selectors_audit.cases_by_ref(program=program, ref=ref)
            ]
        audit_read_record(
            program=program,
            actor=request.user,
            case_ref=ref or "",
            page=page.number,
            filters=data,
            via=VIA,
        )
        return Response(AuditPageSerializer(body).data)
