"""A flood from many addresses must not reset the cap for everyone together.

Django's database cache (the production default) drops a third of its entries, in key order,
once it holds more than MAX_ENTRIES; every new client adds an entry, so counts kept beside the
clients' would be culled in the middle of the flood they are meant to stop.
"""

import pytest
from django.core.management import call_command

from privacy import ratelimit
from toolkit.settings.base import with_rate_limit_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_clock")]

SMALL_DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "cull_test_cache",
    "OPTIONS": {"MAX_ENTRIES": 50},
}


def cap_then_flood(settings, caches) -> tuple[int, bool]:
    """Use up the intake cap, flood the look-ups from 300 addresses, then ask once more."""
    settings.CACHES = caches
    settings.TOOLKIT_RATE_LIMITS = {
        **settings.TOOLKIT_RATE_LIMITS,
        "intake": {"client": (1000, 60 * 60), "global": (5, 60 * 60)},
    }
    call_command("createcachetable", verbosity=0)
    allowed = sum(ratelimit.allow("intake", f"asker-{n}") for n in range(10))
    for n in range(300):
        ratelimit.allow("lookup", f"flood-{n}")
    return allowed, ratelimit.allow("intake", "one-more")


def test_a_flood_from_many_addresses_never_resets_the_global_cap(settings):
    allowed, late = cap_then_flood(settings, with_rate_limit_cache(SMALL_DATABASE_CACHE))
    assert allowed == 5
    assert late is False


def test_kept_in_the_same_cache_the_global_count_would_be_culled(settings):
    """Why the counts for everyone have a cache of their own: without it the cap resets."""
    allowed, late = cap_then_flood(settings, {"default": SMALL_DATABASE_CACHE})
    assert allowed == 5
    assert late is True
