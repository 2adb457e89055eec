"""The program's roster of supporters."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from programs import permissions
from programs.models import (
    SupporterProfile,
)
from programs.services import matching, roster

from .. import serializers as s
from ..permissions import program_for
from .base import (
    MAX_ID,
    STAFF_ERRORS,
    WRITE_ERRORS,
    StaffAPIView,
    errors,
    validated,
)


def _roster_context(user, program) -> dict:
    context = {
        "viewer_id": user.pk,
        "trained_ids": set(
            matching.trained_supporters(program=program).values_list("pk", flat=True)
        ),
    }
    # Case loads are for coordinators, who assign; an HR admin does not need them. Nor
    # lived experience, which is health-related personal data used only for matching.
    if permissions.user_can(user, permissions.TRIAGE, program):
        context["sees_sensitive"] = True
        loaded = matching.with_load(SupporterProfile.objects.filter(program=program))
        context["loads"] = dict(loaded.values_list("pk", "active_cases"))
    return context


def _roster_entries(program):
    return (
        SupporterProfile.objects.filter(program=program)
        .select_related("user", "unit", "program")
        .prefetch_related("languages", "lived_experience")
        .order_by("display_name", "pk")
    )


def _roster_entry(program, entry_id) -> SupporterProfile:
    if not isinstance(entry_id, int) or not 0 < entry_id <= MAX_ID:
        raise Http404
    entry = _roster_entries(program).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    return entry


def _roster_update(request, program, entry, data) -> Response:
    roster.supporter_status_set(
        supporter=entry, status=data["status"], actor=request.user, reason=data["reason"]
    )
    entry = _roster_entry(program, entry.pk)
    context = _roster_context(request.user, program)
    return Response(s.RosterEntrySerializer(entry, context=context).data)


class RosterView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="The program's supporters",
        responses={200: s.RosterEntrySerializer(many=True), **errors(*STAFF_ERRORS)},
    )
    def get(self, request, slug):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        context = _roster_context(request.user, program)
        entries = _roster_entries(program)
        return Response(s.RosterEntrySerializer(entries, many=True, context=context).data)

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
        profile, granted = roster.supporter_add(
            program=program, email=data["email"], actor=request.user
        )
        entry = _roster_entries(program).get(pk=profile.pk)
        context = _roster_context(request.user, program)
        return Response(
            s.RosterEntrySerializer(entry, context=context).data,
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
        return _roster_update(request, program, _roster_entry(program, data["id"]), data)


class RosterEntryView(StaffAPIView):
    @extend_schema(
        tags=["coordinator"],
        summary="One roster entry",
        responses={200: s.RosterEntrySerializer, **errors(*STAFF_ERRORS)},
    )
    def get(self, request, slug, entry_id):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        entry = _roster_entry(program, entry_id)
        context = _roster_context(request.user, program)
        return Response(s.RosterEntrySerializer(entry, context=context).data)

    @extend_schema(
        tags=["coordinator"],
        summary="Change a supporter's status: select, train, activate, pause, retire",
        request=s.RosterUpdateInSerializer,
        responses={200: s.RosterEntrySerializer, **errors(*WRITE_ERRORS)},
    )
    def patch(self, request, slug, entry_id):
        program = program_for(request.user, slug, permissions.MANAGE_ROSTER)
        entry = _roster_entry(program, entry_id)
        data = validated(s.RosterUpdateInSerializer, request.data)
        return _roster_update(request, program, entry, data)
