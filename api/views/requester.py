"""The anonymous requester: ask, look up, reply, withdraw. No login, no cookie."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from privacy import anonymous_route
from programs import selectors
from programs.models import (
    Case,
    Language,
    Topic,
    Unit,
)
from programs.services import intake

from .. import serializers as s
from ..exceptions import ProgramNotOpen, ReceiptNotFound
from .base import (
    AnonymousAPIView,
    errors,
    validated,
)


def _resolve_intake_choices(program, data: dict) -> dict:
    """Turn slugs, codes and names into objects; the service decides what is allowed."""
    errors_found: dict[str, str] = {}
    slugs = list(dict.fromkeys(data.get("topics") or []))
    topics = list(Topic.objects.filter(slug__in=slugs)) if slugs else []
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
            "the only way back to the request. Nothing about the caller is stored. A program "
            "that is not open answers 409 with code `not_open` and its crisis lines."
        ),
        request=s.RequestInSerializer,
        responses={201: s.ReceiptOutSerializer, **errors(400, 404, 409, 413, 415, 429)},
    )
    def post(self, request, slug):
        program = selectors.program_get_public(slug=slug, memo=True)
        if not program.accepts_requests:
            # Before anything is read or stored: nothing of what was sent is kept.
            raise ProgramNotOpen(
                intake.not_open_message(program),
                s.HelpResourceSerializer(
                    selectors.help_resources(program=program, crisis_only=True), many=True
                ).data,
            )
        data = validated(s.RequestInSerializer, request.data, fast=True)
        choices = _resolve_intake_choices(program, data)
        submission = intake.case_submit(
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
        # What s.ReceiptOutSerializer (the schema) describes, built directly.
        body = {
            "receipt_code": submission.receipt_code,
            "status": str(submission.case.status),
            "crisis": submission.crisis,
            "crisis_lines": s.HelpResourceSerializer(crisis_lines, many=True).data
            if crisis_lines
            else [],
        }
        return Response(body, status=status.HTTP_201_CREATED)


def _lookup(request, code: str) -> Case:
    """The same rule as the web page: failed look-ups count against this client's limit."""
    case = intake.case_lookup(receipt_code=code, client_key=request.client_key)
    if case is None:
        raise ReceiptNotFound
    return case


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
        case = _lookup(request, data["receipt_code"])
        view = selectors.requester_status(case=case)
        return Response(s.RequesterViewSerializer(view).data)


@anonymous_route
class RequestMessagesView(AnonymousAPIView):
    @extend_schema(
        tags=["requester"],
        auth=[],
        summary="Reply in the conversation",
        request=s.RequesterReplyInSerializer,
        description=(
            "When the reply contains crisis wording, `crisis` is true and `crisis_lines` "
            "lists the program's crisis lines to show at once, as the web page does."
        ),
        responses={
            201: s.RequesterReplyOutSerializer,
            **errors(400, 404, 409, 413, 415, 429),
        },
    )
    def post(self, request):
        data = validated(s.RequesterReplyInSerializer, request.data)
        case = _lookup(request, data["receipt_code"])
        reply = intake.requester_reply(case=case, body=data["body"])
        crisis_lines = (
            selectors.help_resources(program=case.program, crisis_only=True) if reply.crisis else []
        )
        body = {
            **s.RequesterMessageSerializer(reply.message).data,
            "crisis": reply.crisis,
            "crisis_lines": s.HelpResourceSerializer(crisis_lines, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


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
        case = _lookup(request, data["receipt_code"])
        intake.requester_withdraw(case=case)
        return Response({"status": Case.Status.WITHDRAWN})
