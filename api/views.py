"""The API: check the shape of the input, call a service, choose what to show.

Every rule lives in programs/services and programs/permissions; these views only call
them. Cases the caller may not see are a 404. Every read or write of a case is
audit-logged with via="api".
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from privacy import anonymous_route
from programs import eligibility, permissions, selectors
from programs.models import (
    CaseAccess,
    Language,
    Membership,
    Message,
    SupporterProfile,
    SupportRequest,
    Topic,
    Unit,
    Urgency,
)
from programs.services import cases, intake, members, reports, roster, tokens

from . import serializers as s
from .exceptions import ReceiptNotFound
from .parsers import LimitedJSONParser, reject_nul_in_query
from .permissions import program_for
from .throttling import StaffThrottle

VIA = "api"
MAX_ID = 2**31 - 1


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(s.ErrorSerializer) for code in codes}


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StaffAPIView(APIView):
    """Signed-in staff: a token (Authorization: Token …) or a session with its CSRF token."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [StaffThrottle]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_nul_in_query(request)


class AnonymousAPIView(APIView):
    """No login, no session, no cookie; limits counted on a keyed hash of the client."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_nul_in_query(request)


# ---------------------------------------------------------------- public


class ResourcesView(AnonymousAPIView):
    @extend_schema(
        tags=["public"],
        auth=[],
        summary="A program's crisis lines and help resources",
        responses={200: s.HelpResourceSerializer(many=True), **errors(404, 429)},
    )
    def get(self, request, slug):
        program = selectors.program_get_public(slug=slug)
        resources = selectors.help_resources(program=program)
        return Response(s.HelpResourceSerializer(resources, many=True).data)


def _choices(items) -> list[dict]:
    return [{"key": str(key), "label": str(label)} for key, label in items]


class IntakeFormView(AnonymousAPIView):
    @extend_schema(
        tags=["public"],
        auth=[],
        summary="What a request to this program may contain, and the limits of confidentiality",
        responses={200: s.IntakeFormSerializer, **errors(404, 429)},
    )
    def get(self, request, slug):
        program = selectors.program_get_public(slug=slug)
        data = {
            "program": program.slug,
            "name": program.name,
            "is_open": program.is_open,
            "confidentiality_limits": program.confidentiality_limits,
            "channels": _choices((c.value, c.label) for c in program.offered_channels()),
            "topics": _choices((t.slug, t.name) for t in program.topics.all()),
            "urgencies": _choices(Urgency.choices),
            "languages": _choices((lang.code, lang.name) for lang in Language.objects.all()),
            "units": list(
                Unit.objects.filter(program=program)
                .order_by("sort_order", "pk")
                .values_list("name", flat=True)
            ),
            "crisis_lines": selectors.help_resources(program=program, crisis_only=True),
        }
        return Response(s.IntakeFormSerializer(data).data)


# ---------------------------------------------------------------- anonymous requester


def _resolve_intake_choices(program, data: dict) -> dict:
    """Turn slugs, codes and names into objects; the service decides what is allowed."""
    errors_found: dict[str, str] = {}
    slugs = list(dict.fromkeys(data.get("topics") or []))
    topics = list(Topic.objects.filter(slug__in=slugs))
    if len(topics) != len(slugs):
        errors_found["topics"] = _("Choose topics from the list.")
    prefs = data.get("preferences") or {}
    language = None
    if prefs.get("language"):
        language = Language.objects.filter(code=prefs["language"]).first()
        if language is None:
            errors_found["preferences"] = _("Choose a language from the list.")
    unit = None
    if prefs.get("exclude_unit"):
        unit = Unit.objects.filter(program=program, name=prefs["exclude_unit"]).first()
        if unit is None:
            errors_found["preferences"] = _("Choose a unit from this program's list.")
    if errors_found:
        raise ValidationError(errors_found)
    return {
        "topics": topics,
        "preferred_language": language,
        "excluded_unit": unit,
        "wants_shared_experience": prefs.get("shared_experience", False),
        "preferred_gender": prefs.get("gender", ""),
    }


@anonymous_route
class ProgramRequestsView(AnonymousAPIView):
    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Ask for peer support anonymously",
        description=(
            "Only `message` is required. The answer holds a receipt code, shown once: it is "
            "the only way back to the request. Nothing about the caller is stored."
        ),
        request=s.RequestInSerializer,
        responses={201: s.ReceiptOutSerializer, **errors(400, 404, 409, 413, 415, 429)},
    )
    def post(self, request, slug):
        program = selectors.program_get_public(slug=slug)
        data = validated(s.RequestInSerializer, request.data)
        choices = _resolve_intake_choices(program, data)
        submission = intake.request_submit(
            program=program,
            client_key=request.client_key,
            message=data["message"],
            channel=data["channel"],
            contact_detail=data["contact_detail"],
            alias=data["alias"],
            urgency=data["urgency"],
            in_danger=data["in_danger"],
            **choices,
        )
        crisis_lines = (
            selectors.help_resources(program=program, crisis_only=True) if submission.crisis else []
        )
        body = {
            "receipt_code": submission.receipt_code,
            "status": submission.request.status,
            "crisis": submission.crisis,
            "crisis_lines": crisis_lines,
        }
        return Response(s.ReceiptOutSerializer(body).data, status=status.HTTP_201_CREATED)


def _lookup(request, code: str) -> SupportRequest:
    """The same rule as the web page: failed look-ups count against this client's limit."""
    support_request = intake.request_lookup(receipt_code=code, client_key=request.client_key)
    if support_request is None:
        raise ReceiptNotFound
    return support_request


def _requester_view(support_request: SupportRequest) -> dict:
    hidden = {SupportRequest.Status.QUEUED, SupportRequest.Status.OFFERED}
    supporter = support_request.assigned_to
    shown = supporter is not None and support_request.status not in hidden
    return {
        "program": support_request.program.slug,
        "status": support_request.status,
        "is_open": support_request.is_open,
        "waiting_for_match": support_request.status == SupportRequest.Status.QUEUED
        and support_request.no_match,
        "supporter": {
            "display_name": supporter.display_name,
            "confidentiality_limits": supporter.confidentiality_limits,
        }
        if shown
        else None,
        "messages": intake.conversation(request=support_request),
    }


@anonymous_route
class RequestLookupView(AnonymousAPIView):
    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Read a request's status and conversation with its receipt code",
        description="Any code that is unknown, expired, withdrawn or mistyped gets the same 404.",
        request=s.ReceiptCodeInSerializer,
        responses={200: s.RequesterViewSerializer, **errors(400, 404, 413, 415, 429)},
    )
    def post(self, request):
        data = validated(s.ReceiptCodeInSerializer, request.data)
        support_request = _lookup(request, data["receipt_code"])
        return Response(s.RequesterViewSerializer(_requester_view(support_request)).data)


@anonymous_route
class RequestMessagesView(AnonymousAPIView):
    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Reply in the conversation",
        request=s.RequesterReplyInSerializer,
        responses={
            201: s.RequesterMessageSerializer,
            **errors(400, 404, 409, 413, 415, 429),
        },
    )
    def post(self, request):
        data = validated(s.RequesterReplyInSerializer, request.data)
        support_request = _lookup(request, data["receipt_code"])
        message = intake.requester_reply(request=support_request, body=data["body"])
        return Response(s.RequesterMessageSerializer(message).data, status=status.HTTP_201_CREATED)


@anonymous_route
class RequestWithdrawView(AnonymousAPIView):
    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Withdraw the request; its messages are deleted at once",
        request=s.ReceiptCodeInSerializer,
        responses={200: s.WithdrawnSerializer, **errors(400, 404, 413, 415, 429)},
    )
    def post(self, request):
        data = validated(s.ReceiptCodeInSerializer, request.data)
        support_request = _lookup(request, data["receipt_code"])
        intake.requester_withdraw(request=support_request)
        return Response({"status": SupportRequest.Status.WITHDRAWN})


# ---------------------------------------------------------------- staff: cases

STAFF_ERRORS = (401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 429)


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


# ---------------------------------------------------------------- staff: programs


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
                "is_open": p.is_open,
                "roles": sorted(roles.get(p.pk, [])),
            }
            for p in programs.order_by("name")
        ]
        return Response(s.ProgramSerializer(data, many=True).data)


def _roster_context(user, program) -> dict:
    context = {
        "viewer_id": user.pk,
        "trained_ids": set(
            eligibility.trained_supporters(program=program).values_list("pk", flat=True)
        ),
    }
    # Case loads are for coordinators, who assign; an HR admin does not need them. Nor
    # lived experience, which is health-related personal data used only for eligibility.
    if permissions.user_can(user, permissions.TRIAGE, program):
        context["sees_sensitive"] = True
        loaded = eligibility.with_load(SupporterProfile.objects.filter(program=program))
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
        profile, granted = members.supporter_add(
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


class ReportView(StaffAPIView):
    throttle_scope = "reports"

    @extend_schema(
        tags=["admin"],
        summary="Aggregate counts for the last twelve whole months (program admins)",
        description=(
            "Counts from 1 to k-1 are hidden, and more are hidden where a total would give "
            "them away. Months are the finest bucket; there are no filters."
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
        responses={200: s.ReportSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, slug):
        program = program_for(request.user, slug, permissions.VIEW_REPORTS)
        unknown = sorted(set(request.query_params) - {"bucket"})
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
        report = reports.program_report(program=program, actor=request.user)
        return Response(s.ReportSerializer(report).data)


# ---------------------------------------------------------------- tokens


class TokenListView(StaffAPIView):
    throttle_scope = "token"

    def get_throttles(self):
        # Making tokens is limited tightly; looking at one's own list is not.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        tags=["auth"],
        summary="My API tokens that still work (never their keys)",
        responses={200: s.TokenSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        return Response(s.TokenSerializer(tokens.token_list(user=request.user), many=True).data)

    @extend_schema(
        tags=["auth"],
        summary="Make a named API token for myself; its key is shown only in this answer",
        request=s.TokenInSerializer,
        responses={201: s.TokenCreatedSerializer, **errors(400, 401, 403, 429)},
    )
    def post(self, request):
        data = validated(s.TokenInSerializer, request.data)
        api_token, key = tokens.token_create(
            user=request.user, name=data["name"], days=data["expires_in_days"]
        )
        body = {**s.TokenSerializer(api_token).data, "token": key}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetailView(StaffAPIView):
    @extend_schema(
        tags=["auth"],
        summary="Revoke one of my API tokens",
        request=None,
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request, pk):
        if not tokens.token_revoke(user=request.user, token_id=pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
