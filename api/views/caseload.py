"""The supporter's caseload and cases."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from programs import permissions
from programs.models import (
    CaseAccess,
    Message,
    SupportRequest,
)
from programs.services import cases

from .. import serializers as s
from .base import (
    STAFF_ERRORS,
    VIA,
    WRITE_ERRORS,
    StaffAPIView,
    errors,
    validated,
)


def _case_queryset(user):
    return (
        permissions.cases_visible_to(user)
        .select_related("program", "assigned_to", "preferred_language")
        .prefetch_related("topics")
    )


def _case_detail(user, case_id) -> SupportRequest:
    case = permissions.require_case(user, case_id)
    return (
        _case_queryset(user)
        .prefetch_related(
            Prefetch("messages", queryset=Message.objects.order_by("id")),
            "notes",
        )
        .get(pk=case.pk)
    )


def _audit_each(case_list, user) -> None:
    for case in case_list:
        cases.audit(case=case, actor=user, action=CaseAccess.Action.VIEW, via=VIA)


class CaseloadView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="My open cases",
        responses={200: s.CaseListSerializer(many=True), **errors(401, 403, 429)},
    )
    def get(self, request):
        case_list = list(
            _case_queryset(request.user)
            .filter(
                assigned_to__user=request.user,
                status__in=SupportRequest.ACTIVE_CASE_STATUSES,
            )
            .order_by("-crisis_flag", "created_at")
        )
        _audit_each(case_list, request.user)
        return Response(s.CaseListSerializer(case_list, many=True).data)


class CaseDetailView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="A case, with its messages and notes",
        responses={200: s.CaseDetailSerializer, **errors(*STAFF_ERRORS)},
    )
    def get(self, request, case_id):
        case = _case_detail(request.user, case_id)
        cases.audit(case=case, actor=request.user, action=CaseAccess.Action.VIEW, via=VIA)
        return Response(s.CaseDetailSerializer(case, context={"request": request}).data)

    @extend_schema(
        tags=["supporter"],
        summary="Move a case along (closing needs an outcome)",
        request=s.CaseUpdateInSerializer,
        responses={200: s.CaseDetailSerializer, **errors(*WRITE_ERRORS)},
    )
    def patch(self, request, case_id):
        case = permissions.require_case(request.user, case_id)
        data = validated(s.CaseUpdateInSerializer, request.data)
        cases.request_status_set(
            request=case,
            actor=request.user,
            status=data["status"],
            outcome=data["outcome"],
            closing_message=data["closing_message"],
            via=VIA,
        )
        case = _case_detail(request.user, case_id)
        return Response(s.CaseDetailSerializer(case, context={"request": request}).data)


class CaseMessagesView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Write to the requester",
        request=s.StaffReplyInSerializer,
        responses={201: s.CaseMessageSerializer, **errors(*WRITE_ERRORS)},
    )
    def post(self, request, case_id):
        case = permissions.require_case(request.user, case_id)
        data = validated(s.StaffReplyInSerializer, request.data)
        message = cases.staff_reply(request=case, actor=request.user, body=data["body"], via=VIA)
        return Response(s.CaseMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class CaseNotesView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Add a minimal note about a contact",
        request=s.NoteInSerializer,
        responses={201: s.CaseNoteSerializer, **errors(*WRITE_ERRORS)},
    )
    def post(self, request, case_id):
        case = permissions.require_case(request.user, case_id)
        data = validated(s.NoteInSerializer, request.data)
        note = cases.note_add(
            request=case,
            actor=request.user,
            contact_date=data.get("contact_date") or timezone.localdate(),
            contact_type=data["contact_type"],
            referral_offered=data["referral_offered"],
            text=data["text"],
            via=VIA,
        )
        return Response(s.CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)
