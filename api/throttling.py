"""Rate limits. Staff are counted by account; anonymous requesters by a keyed hash only.

DRF's AnonRateThrottle is never used: it keys its cache entries on the raw address.
"""

from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from programs import ratelimit


class StaffThrottle(SimpleRateThrottle):
    """Per account and per view scope (`throttle_scope`, default "staff")."""

    scope = "staff"

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None) or "staff"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # refused by the permission check instead
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def anonymous_allow(request, scope: str) -> None:
    """Count one anonymous hit in `scope` ("intake" or "lookup"); 429 past the limit."""
    if not ratelimit.allow(scope, getattr(request, "client_key", "")):
        raise Throttled
