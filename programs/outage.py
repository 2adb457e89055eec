"""When the database is down: a calm 503 with Retry-After, never an HTML 500.

Nothing here may touch the database: the crisis lines come from settings
(TOOLKIT_OUTAGE_CRISIS_LINES), and a requester's typed text is sent back to them in the
page, with a plain statement that it was not sent and a button to try again.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_DOWN = (OperationalError, InterfaceError)

# Used when a deployment sets none; lines that work in most places, no program's own.
DEFAULT_CRISIS_LINES = [
    {"name": "Emergency services", "phone": "911 / 112 / 999"},
    {"name": "988 Suicide & Crisis Lifeline (US)", "phone": "988"},
    {"name": "Samaritans (UK and Ireland)", "phone": "116 123"},
]
# Fields that carry no words of the requester's own and so are re-posted hidden.
_NOT_TYPED = {"csrfmiddlewaretoken", "form_token", "step", "receipt_code", "action"}


def crisis_lines() -> list[dict]:
    return getattr(settings, "TOOLKIT_OUTAGE_CRISIS_LINES", None) or DEFAULT_CRISIS_LINES


def _wants_json(request) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def outage_response(request) -> HttpResponse:
    """The answer for any request that needed the database while it was unreachable."""
    if _wants_json(request):
        response = JsonResponse(
            {
                "error": {
                    "code": "unavailable",
                    "message": _(
                        "The service is briefly unavailable. Nothing was saved. Please try "
                        "again in a minute. If you need help now, call a crisis line."
                    ),
                }
            },
            status=503,
        )
    else:
        typed, kept = [], []
        if request.method == "POST":
            for name, value in request.POST.items():
                if name == "csrfmiddlewaretoken":
                    continue
                (kept if name in _NOT_TYPED or not value.strip() else typed).append((name, value))
        context = {
            "crisis_lines": crisis_lines(),
            "posted": request.method == "POST",
            "typed": typed,
            "kept": kept,
            "action": request.path,
            "csrf_token": get_token(request) if request.method == "POST" else "",
        }
        body = loader.get_template("503.html").render(context)
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class OutageMiddleware:
    """Last in MIDDLEWARE, so it sees a view's database error before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error("database unavailable: %s", exception.__class__.__name__)
            return outage_response(request)
        return None
