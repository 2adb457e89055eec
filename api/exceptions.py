"""One error shape for the whole API: {"error": {"code", "message", "fields"?}}.

400: something in what was sent is wrong (with "fields"). 409: what was asked does not
fit the current state of the thing (a closed case, a withdrawn request, a program not
taking requests): services say so with a ValidationError that names no field.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from privacy import ratelimit
from programs import selectors
from programs.models import Program

from .serializers import HelpResourceSerializer


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This cannot be done in the current state.")
    default_code = "conflict"


class ProgramNotOpen(Conflict):
    """A request to a program that is getting ready or closed: a calm word and the crisis
    lines, in the one error shape (with "crisis_lines" beside "code" and "message")."""

    default_code = "not_open"

    def __init__(self, detail, crisis_lines):
        super().__init__(detail)
        self.crisis_lines = crisis_lines


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("This is more than we can accept at once. Please send less.")
    default_code = "too_large"


class ReceiptNotFound(exceptions.NotFound):
    """The same answer for a code that is unknown, expired, withdrawn or mistyped."""

    default_detail = gettext_lazy(
        "We could not find a request with that code. Check the code, or make a new request. "
        "If you need help now, call a crisis line."
    )
    default_code = "not_found"


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.APIException:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                field: [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
        )
    return Conflict(" ".join(str(m) for m in exc.messages))


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """Nested errors become dotted names, so "fields" is always {name: [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        out = {}
        for index, item in enumerate(detail):
            if item:
                out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ratelimit.RateLimited):
        exc = exceptions.Throttled()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = response.data
        if not isinstance(detail, dict):
            detail = {"non_field_errors": detail}
        body = {
            "code": "invalid",
            "message": _("Some fields need attention."),
            "fields": _flatten(detail),
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        body = {"code": code, "message": str(detail)}
    if isinstance(exc, ProgramNotOpen):
        body["crisis_lines"] = exc.crisis_lines
    response.data = {"error": body}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["error"]["message"] = _(
            "Too many requests for now. Please wait a little and try again. If you need help "
            "now, call a crisis line."
        )
        lines = _crisis_lines_of(context)
        if lines is not None:
            response.data["error"]["crisis_lines"] = lines
    return response


def _crisis_lines_of(context) -> list | None:
    """The crisis lines of the program the refused call was about, if it names one: someone
    told to wait should be told at once where to call instead."""
    slug = (context or {}).get("kwargs", {}).get("slug")
    program = Program.objects.filter(slug=slug).first() if slug else None
    if program is None:
        return None
    lines = selectors.help_resources(program=program, crisis_only=True)
    return HelpResourceSerializer(lines, many=True).data


@csrf_exempt  # it changes nothing; without this a stray POST would get Django's HTML 403
def not_found(request, *args, **kwargs):
    """A JSON 404 for any address under /api/v1/ that does not exist."""
    return JsonResponse(
        {"error": {"code": "not_found", "message": str(exceptions.NotFound.default_detail)}},
        status=404,
    )
