"""The supporter's actions on their own case: accept, decline, status, refer, hand over, close.

The same selector finds the case as on the case page (selectors.caseload_case_get: the
caller's own case, or a 404) and the same service makes the change, with its own checks;
each write is audit-logged by the service with via="api".
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from programs import eligibility, selectors
from programs.services import cases

from .. import serializers as s
from .base import VIA, WRITE_ERRORS, StaffAPIView, errors, validated

ACTION_ERRORS = errors(*WRITE_ERRORS)


def _state(case) -> Response:
    body = {
        "id": case.pk,
        "status": case.status,
        "outcome": case.outcome,
        "handover_pending": eligibility.handover_pending(case=case),
    }
    return Response(s.CaseStateSerializer(body).data)


def _own_case(request, case_id):
    return selectors.caseload_case_get(user=request.user, case_id=case_id)


class CaseAcceptView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Accept a request offered to me",
        request=None,
        responses={200: s.CaseStateSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_id):
        case = _own_case(request, case_id)
        return _state(cases.case_accept(case=case, actor=request.user, via=VIA))


class CaseDeclineView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Decline a request offered to me, with a reason category; it goes back",
        request=s.DeclineInSerializer,
        responses={200: s.CaseStateSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_id):
        case = _own_case(request, case_id)
        data = validated(s.DeclineInSerializer, request.data)
        case = cases.case_decline(case=case, actor=request.user, reason=data["reason"], via=VIA)
        return _state(case)


class CaseStatusView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Say where my case stands: contacted or active",
        request=s.CaseStatusInSerializer,
        responses={200: s.CaseStateSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_id):
        case = _own_case(request, case_id)
        data = validated(s.CaseStatusInSerializer, request.data)
        case = cases.case_status_set(case=case, actor=request.user, status=data["status"], via=VIA)
        return _state(case)


class CaseReferView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Record that I offered a referral, and to what kind of help (never to whom)",
        request=s.ReferralInSerializer,
        responses={201: s.ReferralSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_id):
        case = _own_case(request, case_id)
        data = validated(s.ReferralInSerializer, request.data)
        referral = cases.referral_record(case=case, actor=request.user, kind=data["kind"], via=VIA)
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class CaseHandoverView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Ask a coordinator to hand my case to someone else",
        request=None,
        responses={200: s.CaseStateSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_id):
        case = _own_case(request, case_id)
        cases.handover_ask(case=case, actor=request.user, via=VIA)
        return _state(case)


class CaseCloseView(StaffAPIView):
    @extend_schema(
        tags=["supporter"],
        summary="Close my case with an outcome and, if needed, a closing message",
        request=s.CloseInSerializer,
        responses={200: s.CaseStateSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_id):
        case = _own_case(request, case_id)
        data = validated(s.CloseInSerializer, request.data)
        case = cases.case_close(
            case=case,
            actor=request.user,
            outcome=data["outcome"],
            closing_message=data["closing_message"],
            via=VIA,
        )
        return _state(case)
