"""Fixed-window rate limits kept only in the cache.

A client is known by an HMAC of its address under a key that changes every day, so the
cache never holds an address and yesterday's keys cannot be linked to today's. IPv6
clients are counted by their /64 network, which one household or phone usually holds.
The numbers live in settings.TOOLKIT_RATE_LIMITS.

The counts for everyone together live in their own cache ("rate_limits"), which holds a few
keys only (one per scope and window). Django's local-memory and database caches drop a third
of their entries once they pass MAX_ENTRIES, so a flood from many addresses would otherwise
cull the global counters too and silently reset the cap meant to stop that flood.
"""

import hmac
import ipaddress
from hashlib import sha256

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone

from . import crypto


class RateLimited(Exception):
    """Too many attempts from this client, or from everyone, in the current window."""


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def client_key(address: str) -> str:
    day = timezone.now().strftime("%Y-%m-%d")
    secret = crypto.keyed_digest(day, "rate-limit-day-key").encode()
    return hmac.new(secret, _network(address).encode(), sha256).hexdigest()[:32]


def _bucket(window: int) -> tuple[int, int]:
    """The current window's number, and the seconds until it ends."""
    now = int(timezone.now().timestamp())
    bucket = now // window
    return bucket, (bucket + 1) * window - now


def _global_store():
    """Where the counts for everyone live: apart, so that culling never reaches them."""
    return caches["rate_limits"] if "rate_limits" in settings.CACHES else cache


def _cache_key(key: str, window: int) -> str:
    return f"rl:{key}:{_bucket(window)[0]}"


def _hit(key: str, limit: int, window: int, store=cache) -> bool:
    """Count one hit; True while under the limit.

    Entries expire when their window ends, never at a time taken from a request, so not
    even a cache's expiry column says when someone asked. touch() puts the expiry back
    after incr(), which some backends (the database cache) reset to the default timeout.
    """
    bucket, remaining = _bucket(window)
    cache_key = f"rl:{key}:{bucket}"
    store.add(cache_key, 0, timeout=remaining + 5)
    try:
        count = store.incr(cache_key)
    except ValueError:
        store.set(cache_key, 1, timeout=remaining + 5)
        count = 1
    store.touch(cache_key, timeout=remaining + 5)
    return count <= limit


def _full(key: str, limit: int, window: int, store=cache) -> bool:
    return (store.get(_cache_key(key, window)) or 0) >= limit


def _limits(scope: str):
    limits = settings.TOOLKIT_RATE_LIMITS[scope]
    return limits["client"], limits["global"]


def allow(scope: str, client: str, *, client_limit: int | None = None) -> bool:
    """Count a hit for this client and for everyone; False if either limit is passed.

    client_limit replaces the per-client count from the settings (a program's own limit);
    the window stays the scope's.
    """
    per_client, overall = _limits(scope)
    if client_limit is not None:
        per_client = (client_limit, per_client[1])
    client_ok = _hit(f"{scope}:c:{client}", *per_client)
    global_ok = _hit(f"{scope}:g", *overall, store=_global_store())
    return client_ok and global_ok


def exceeded(scope: str, client: str) -> bool:
    """True if this client, or everyone together, has used up the window (counts nothing)."""
    per_client, overall = _limits(scope)
    return _full(f"{scope}:c:{client}", *per_client) or _full(
        f"{scope}:g", *overall, store=_global_store()
    )


def seconds_left(scope: str) -> int:
    """Seconds until this scope's per-client window starts again."""
    return _bucket(_limits(scope)[0][1])[1]
