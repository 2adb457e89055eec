"""Fixed-window rate limits kept only in the cache.

A client is known by an HMAC of its address under a key that changes every day, so the
cache never holds an address and yesterday's keys cannot be linked to today's.
"""

import hmac
from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import crypto


def client_key(address: str) -> str:
    day = timezone.now().strftime("%Y-%m-%d")
    secret = crypto.keyed_digest(day, "rate-limit-day-key").encode()
    return hmac.new(secret, address.encode(), sha256).hexdigest()[:32]


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one hit; True while under the limit."""
    bucket = int(timezone.now().timestamp()) // window
    cache_key = f"rl:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def allow(scope: str, client: str) -> bool:
    """Count a hit for this client and for everyone; False if either limit is passed."""
    limits = settings.TOOLKIT_RATE_LIMITS[scope]
    per_client = _hit(f"{scope}:c:{client}", *limits["client"])
    overall = _hit(f"{scope}:g", *limits["global"])
    return per_client and overall
