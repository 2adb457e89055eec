"""The supporter's caseload and cases."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from programs import memo, permissions, selectors
from programs.models import (
    Case,
    CaseAccess,
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


def _case_detail(user, case_id) -> tuple[Case, dict]:
    """A case the caller handles (their own or, for a coordinator, their program's), with
    what the case pages read of it."""
    try:  # one read of the case, scoped as permissions.require_case scopes it
        case = _case_queryset(user).select_related("assigned_to__user").get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
    return case, selectors.case_record(case=case, user=user)


def _detail_response(request, case_id) -> Response:
    case, record = _case_detail(request.user, case_id)
    return Response(s.CaseDetailSerializer(case, context={"record": record}).data)


class CaseloadView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="My open cases",
        responses={200: s.CaseListSerializer(many=True), **errors(401, 403, 429)},
    )
    def get(self, request):
        held = permissions.program_keys_for(request.user, permissions.HOLD_CASELOAD)
        # Built once per change to the person's programs (see programs.memo); their roles are
        # read anew on every request, and every reload is audited.
        shown, data = memo.remembered(
            memo.slot_for(request, "api-caseload", tuple(held)),
            programs=held,
            build=lambda: _caseload(request.user),
        )
        cases.audit_many(shown=shown, actor=request.user, action=CaseAccess.Action.VIEW, via=VIA)
        return Response(data)


def _caseload(user):
    case_list = selectors.caseload_cases(user=user, closed_limit=0)["open"]
    # A plain list: the serializer's own keeps the serializer, and with it every case.
    data = list(s.CaseListSerializer(case_list, many=True).data)
    return [(case.pk, case.program_id) for case in case_list], data


class CaseDetailView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="A case, with its messages and notes",
        responses={200: s.CaseDetailSerializer, **errors(*STAFF_ERRORS)},
    )
    def get(self, request, case_id):
        case, record = _case_detail(request.user, case_id)
        cases.audit(case=case, actor=request.user, action=CaseAccess.Action.VIEW, via=VIA)
        return Response(s.CaseDetailSerializer(case, context={"record": record}).data)

    @extend_schema(
        tags=["supporter"],
        summary="Move a case along (closing needs an outcome)",
        description=(
            "Kept for clients written before the action routes; new clients use "
            "`cases/{id}/status/` and `cases/{id}/close/`, which call the same service."
        ),
        deprecated=True,
        request=s.CaseUpdateInSerializer,
        responses={200: s.CaseDetailSerializer, **errors(*WRITE_ERRORS)},
    )
    def patch(self, request, case_id):
        case = permissions.require_case(request.user, case_id)
        data = validated(s.CaseUpdateInSerializer, request.data)
        cases.case_status_set(
            case=case,
            actor=request.user,
            status=data["status"],
            outcome=data["outcome"],
            closing_message=data["closing_message"],
            via=VIA,
        )
        return _detail_response(request, case_id)


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
        message = cases.staff_reply(case=case, actor=request.user, body=data["body"], via=VIA)
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
            case=case,
            actor=request.user,
            contact_date=data.get("contact_date") or timezone.localdate(),
            contact_type=data["contact_type"],
            referral_offered=data["referral_offered"],
            text=data["text"],
            via=VIA,
        )
        return Response(s.CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)
