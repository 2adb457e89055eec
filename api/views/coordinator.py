"""The coordinator: the queue and offering a case to a supporter."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from programs import permissions
from programs.models import (
    Message,
    SupporterProfile,
    SupportRequest,
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
from .caseload import _audit_each, _case_queryset


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
        cases.request_offer(request=case, supporter=supporter, actor=request.user, via=VIA)
        case = _case_queryset(request.user).get(pk=case.pk)
        return Response(s.CaseListSerializer(case).data)


class QueueView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="Requests waiting for a supporter, with their text (coordinators only)",
        responses={200: s.QueueItemSerializer(many=True), **errors(*STAFF_ERRORS)},
    )
    def get(self, request, slug):
        program = program_for(request.user, slug, permissions.TRIAGE)
        case_list = list(
            _case_queryset(request.user)
            .filter(program=program, status=SupportRequest.Status.QUEUED)
            .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("id")))
            .order_by("-crisis_flag", "created_at")
        )
        _audit_each(case_list, request.user)
        return Response(s.QueueItemSerializer(case_list, many=True).data)
