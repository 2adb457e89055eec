"""Forget who is asking before any other code runs.

The client address is turned into a short-lived keyed hash for rate limiting, then the
address, user agent and forwarding headers are removed from the request. On the
anonymous requester routes (views marked with privacy.anonymous_route, found by resolving
the path here, before any view runs) the referrer and any cookie go too (so even a signed-in
colleague's session cannot be linked to a request), no cookie is ever set, and
responses are neither cached nor sent with a referrer.
"""

from django.conf import settings

from . import ratelimit
from .routes import is_anonymous_path

IDENTIFYING_META = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
)


def client_address(meta) -> str:
    proxies = settings.TOOLKIT_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return meta.get("REMOTE_ADDR", "")


class AnonymityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_key = ratelimit.client_key(client_address(request.META))
        for key in IDENTIFYING_META:
            request.META.pop(key, None)
        request.META["REMOTE_ADDR"] = ""
        anonymous = is_anonymous_path(request.path_info)
        if anonymous:
            request.META.pop("HTTP_REFERER", None)
            request.META.pop("HTTP_COOKIE", None)
            request.anonymous_requester = True
        response = self.get_response(request)
        if anonymous:
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            response["Pragma"] = "no-cache"
            response.cookies.clear()
        return response
