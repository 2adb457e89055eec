"""The programs the caller has a role in, and their reports."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from programs import permissions
from programs.models import (
    Membership,
)
from programs.services import reports

from .. import serializers as s
from ..permissions import program_for
from ..renderers import ReportCSVRenderer
from .base import (
    StaffAPIView,
    errors,
)


class ProgramListView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="The programs I have a role in, with my roles",
        responses={200: s.ProgramSerializer(many=True), **errors(401, 403, 429)},
    )
    def get(self, request):
        programs = permissions.programs_with_any(request.user, permissions.ALL_PERMISSIONS)
        roles: dict[int, list[str]] = {}
        for program_id, role in Membership.objects.filter(
            user=request.user, program__in=programs
        ).values_list("program_id", "role"):
            roles.setdefault(program_id, []).append(role)
        data = [
            {
                "slug": p.slug,
                "name": p.name,
                "kind": p.kind,
                "state": p.state,
                "is_open": p.accepts_requests,
                "roles": sorted(roles.get(p.pk, [])),
            }
            for p in programs.order_by("name")
        ]
        return Response(s.ProgramSerializer(data, many=True).data)


class ReportView(StaffAPIView):
    throttle_scope = "reports"
    renderer_classes = [JSONRenderer, ReportCSVRenderer]

    def handle_exception(self, exc):
        # Errors keep the API's JSON shape, even when the CSV file was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        tags=["admin"],
        summary="Aggregate counts for the last twelve whole months (program admins)",
        description=(
            "Counts from 1 to k-1 are hidden, and more are hidden where a total would give "
            "them away. Months are the finest bucket; there are no filters. With "
            "`?format=csv` or `Accept: text/csv`, the same report as a CSV file (every cell "
            "neutralised against spreadsheet formulas); each CSV export is audited."
        ),
        parameters=[
            OpenApiParameter(
                "bucket",
                OpenApiTypes.STR,
                enum=[reports.BUCKET],
                required=False,
                description="Only 'month'. Anything narrower is refused.",
            )
        ],
        responses={
            (200, "application/json"): s.ReportSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **errors(400, 401, 403, 404, 429),
        },
    )
    def get(self, request, slug):
        program = program_for(request.user, slug, permissions.VIEW_REPORTS)
        unknown = sorted(set(request.query_params) - {"bucket", "format"})
        if unknown:
            raise ValidationError(
                {
                    key: _("Reports take no filters: everyone sees the same totals.")
                    for key in unknown
                }
            )
        if request.query_params.get("bucket", reports.BUCKET) != reports.BUCKET:
            raise ValidationError(
                {
                    "bucket": _(
                        "Months are the finest time bucket, so that no one can be singled out."
                    )
                }
            )
        if request.accepted_renderer.format == ReportCSVRenderer.format:
            report = reports.report_export(program=program, actor=request.user, export_format="csv")
            return Response(
                reports.report_csv(report),
                headers={
                    "Content-Disposition": (
                        f'attachment; filename="{reports.report_filename(report)}"'
                    ),
                    "Cache-Control": "no-store",
                },
            )
        report = reports.program_report(program=program, actor=request.user)
        return Response(s.ReportSerializer(report).data)
