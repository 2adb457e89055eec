"""The program's roster of supporters."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from programs import permissions, selectors
from programs.models import (
    SupporterProfile,
)
from programs.services import members, roster

from .. import serializers as s
from ..permissions import program_for
from .base import (
    STAFF_ERRORS,
    WRITE_ERRORS,
    StaffAPIView,
    errors,
    validated,
)


def _entry(request, program, entry_id) -> SupporterProfile:
    return selectors.roster_entries(program=program, user=request.user, entry_id=entry_id)[0]


def _entry_response(request, program, entry_id, **kwargs) -> Response:
    entry = _entry(request, program, entry_id)
    return Response(s.RosterEntrySerializer(entry).data, **kwargs)


def _roster_update(request, program, entry, data) -> Response:
    roster.supporter_status_set(
        supporter=entry, status=data["status"], actor=request.user, reason=data["reason"]
    )
    return _entry_response(request, program, entry.pk)


class RosterView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="The program's supporters",
        responses={200: s.RosterEntrySerializer(many=True), **errors(*STAFF_ERRORS)},
    )
    def get(self, request, slug):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        entries = selectors.roster_entries(program=program, user=request.user)
        return Response(s.RosterEntrySerializer(entries, many=True).data)

    @extend_schema(
        tags=["coordinator"],
        summary="Add a person to the roster as a supporter (new people start as applicants)",
        request=s.RosterAddInSerializer,
        responses={
            201: s.RosterEntrySerializer,
            200: OpenApiResponse(s.RosterEntrySerializer, description="Already a supporter."),
            **errors(*WRITE_ERRORS),
        },
    )
    def post(self, request, slug):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        data = validated(s.RosterAddInSerializer, request.data)
        profile, granted = members.supporter_add(
            program=program, email=data["email"], actor=request.user
        )
        return _entry_response(
            request,
            program,
            profile.pk,
            status=status.HTTP_201_CREATED if granted else status.HTTP_200_OK,
        )

    @extend_schema(
        tags=["coordinator"],
        summary="Change a supporter's status, naming the entry by `id` in the body",
        operation_id="programs_roster_update_by_id",
        description="The same as PATCH /roster/{id}/.",
        request=s.RosterUpdateByIdInSerializer,
        responses={200: s.RosterEntrySerializer, **errors(*WRITE_ERRORS)},
    )
    def patch(self, request, slug):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        data = validated(s.RosterUpdateByIdInSerializer, request.data)
        return _roster_update(request, program, _entry(request, program, data["id"]), data)


class RosterEntryView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="One roster entry",
        responses={200: s.RosterEntrySerializer, **errors(*STAFF_ERRORS)},
    )
    def get(self, request, slug, entry_id):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        return _entry_response(request, program, entry_id)

    @extend_schema(
        tags=["coordinator"],
        summary="Change a supporter's status: select, train, activate, pause, retire",
        request=s.RosterUpdateInSerializer,
        responses={200: s.RosterEntrySerializer, **errors(*WRITE_ERRORS)},
    )
    def patch(self, request, slug, entry_id):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        entry = _entry(request, program, entry_id)
        data = validated(s.RosterUpdateInSerializer, request.data)
        return _roster_update(request, program, entry, data)
