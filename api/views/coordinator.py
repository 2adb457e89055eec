"""The coordinator: the queue and offering a case to a supporter."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from programs import permissions, selectors
from programs.models import (
    CaseAccess,
    SupporterProfile,
)
from programs.services import cases

from .. import serializers as s
from ..permissions import program_for
from .base import (
    STAFF_ERRORS,
    VIA,
    WRITE_ERRORS,
    StaffAPIView,
    errors,
    validated,
)
from .caseload import _case_queryset


class CaseAssignView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="Offer a request to a supporter on the roster",
        request=s.AssignInSerializer,
        responses={200: s.CaseListSerializer, **errors(*WRITE_ERRORS)},
    )
    def post(self, request, case_id):
        case = permissions.require_case(request.user, case_id)
        permissions.require(request.user, permissions.TRIAGE, case.program)
        data = validated(s.AssignInSerializer, request.data)
        supporter = SupporterProfile.objects.filter(pk=data["supporter"]).first()
        if supporter is None:
            raise ValidationError({"supporter": _("Choose a supporter from this program.")})
        cases.case_offer(case=case, supporter=supporter, actor=request.user, via=VIA)
        case = _case_queryset(request.user).get(pk=case.pk)
        return Response(s.CaseListSerializer(case).data)


class QueueView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="Requests queued or offered, not yet accepted, with their text (coordinators)",
        responses={200: s.QueueItemSerializer(many=True), **errors(*STAFF_ERRORS)},
    )
    def get(self, request, slug):
        program = program_for(request.user, slug, permissions.TRIAGE)
        case_list = list(selectors.coordinator_queue(program=program))
        # The queue shows each request's text, so each counts as a view of that case.
        cases.audit_many(
            cases=case_list, actor=request.user, action=CaseAccess.Action.VIEW, via=VIA
        )
        return Response(s.QueueItemSerializer(case_list, many=True).data)
