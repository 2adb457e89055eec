"""Rate limits. Staff are counted by account. Anonymous requesters are counted by the intake
services themselves (privacy.ratelimit, on a keyed hash only), the same rule as the web pages.

DRF's AnonRateThrottle is never used: it keys its cache entries on the raw address.
"""

from rest_framework.throttling import SimpleRateThrottle


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
