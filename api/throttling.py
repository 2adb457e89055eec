"""Rate limits. Staff are counted by account. Anonymous requesters are counted by the intake
services themselves (privacy.ratelimit, on a keyed hash only), the same rule as the web pages.

DRF's AnonRateThrottle is never used: it keys its cache entries on the raw address.
"""

from rest_framework.throttling import SimpleRateThrottle

from privacy import ratelimit


class StaffThrottle(SimpleRateThrottle):
    """Per account and per view scope (`throttle_scope`, default "staff"), at the rates in
    DEFAULT_THROTTLE_RATES, counted in fixed windows by privacy.ratelimit: one atomic
    statement per call, not DRF's list of times rewritten into the cache on every call."""

    scope = "staff"

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None) or "staff"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None or not request.user or not request.user.is_authenticated:
            return True  # an anonymous caller is refused by the permission check instead
        return ratelimit.hit(
            f"api:{self.scope}:{request.user.pk}", self.num_requests, self.duration
        )

    def wait(self):
        return ratelimit.seconds_until_next_window(self.duration)
