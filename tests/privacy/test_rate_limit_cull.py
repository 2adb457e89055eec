"""Rate-limit counts: one atomic statement per limit, and nothing but a window's end resets them.

Django's database cache (the production default) drops a third of its entries, in key order,
once it holds more than MAX_ENTRIES; every new client adds an entry, so counts kept in it
would be culled in the middle of the flood they are meant to stop. The counts now live in
their own table (privacy.RateCount), which only loses windows that have ended.
"""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy import ratelimit
from privacy.models import RateCount

pytestmark = pytest.mark.django_db

TINY_DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cull_test_cache",
        "OPTIONS": {"MAX_ENTRIES": 50},
    }
}
AT = datetime(2026, 3, 4, 14, 7, 23, tzinfo=UTC)
HOUR = int(AT.timestamp()) // 3600


def rate_counts():
    """The rate-limit counts; the table also holds the programs' data versions
    (programs.versions), counters that never expire."""
    return RateCount.objects.filter(key__startswith="rl:")


@pytest.fixture
def intake_cap_of_five(settings):
    settings.TOOLKIT_RATE_LIMITS = {
        **settings.TOOLKIT_RATE_LIMITS,
        "intake": {"client": (1000, 60 * 60), "global": (5, 60 * 60)},
    }


@pytest.fixture
def at_fixed_time():
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def tiny_database_cache(settings):
    settings.CACHES = TINY_DATABASE_CACHE
    call_command("createcachetable", verbosity=0)


def cap_then_flood() -> tuple[int, bool]:
    """Use up the intake cap from 10 clients, flood look-ups and intake from 1,000 more
    (each a new per-client key), then ask once more."""
    allowed = sum(ratelimit.allow("intake", f"asker-{n}") for n in range(10))
    for n in range(1000):
        ratelimit.exceeded("lookup", f"flood-{n}")
        ratelimit.allow("lookup", f"flood-{n}")
        ratelimit.allow("intake", f"flood-{n}")
        cache.set(f"filler:{n}", True)  # what else the cache holds fills it meanwhile
    return allowed, ratelimit.allow("intake", "one-more")


@pytest.mark.usefixtures("intake_cap_of_five", "at_fixed_time", "tiny_database_cache")
def test_a_flood_from_a_thousand_clients_never_resets_the_global_intake_cap():
    allowed, late = cap_then_flood()
    assert cache.get("filler:0") is None  # the cache did cull during the flood
    assert allowed == 5
    assert late is False
    assert ratelimit.exceeded("intake", "someone-new") is True
    assert RateCount.objects.get(key=f"rl:intake:g:{HOUR}").count == 10 + 1000 + 1


@pytest.mark.usefixtures("intake_cap_of_five", "at_fixed_time", "tiny_database_cache")
def test_kept_in_the_database_cache_the_global_count_would_be_culled(settings):
    """Why the counts left the database cache: there, the same flood resets the cap."""
    settings.TOOLKIT_RATE_LIMIT_STORE = "cache"
    allowed = sum(ratelimit.allow("intake", f"asker-{n}") for n in range(10))
    for n in range(300):
        ratelimit.allow("lookup", f"flood-{n}")
    assert allowed == 5
    assert ratelimit.allow("intake", "one-more") is True


@pytest.mark.usefixtures("at_fixed_time")
def test_counting_the_client_and_everyone_is_one_statement():
    with CaptureQueriesContext(connection) as counted:
        for _ in range(3):
            ratelimit.allow("intake", "asker")
    assert len(counted) == 3  # each hit: the client's count and everyone's, together
    assert all(q["sql"].startswith("INSERT INTO") for q in counted.captured_queries)
    counts = dict(rate_counts().values_list("key", "count"))
    assert counts == {f"rl:intake:c:asker:{HOUR}": 3, f"rl:intake:g:{HOUR}": 3}
    with CaptureQueriesContext(connection) as read:
        assert ratelimit.exceeded("intake", "asker") is False
    assert len(read) == 2
    assert all(q["sql"].startswith("SELECT") for q in read.captured_queries)


@pytest.mark.usefixtures("at_fixed_time")
def test_each_count_expires_at_the_end_of_its_window_never_at_the_time_of_the_hit():
    ratelimit.allow("lookup", "asker")  # 10-minute windows
    ratelimit.allow("intake", "asker")  # hourly windows
    rows = rate_counts()
    assert {row.key.split(":")[1]: row.expires for row in rows} == {
        "lookup": datetime(2026, 3, 4, 14, 10, tzinfo=UTC),
        "intake": datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
    }


@pytest.mark.usefixtures("intake_cap_of_five")
def test_purge_removes_only_counts_whose_window_has_ended(at_fixed_time):
    for n in range(5):
        ratelimit.allow("lookup", f"asker-{n}")
        ratelimit.allow("intake", f"asker-{n}")
    at_fixed_time.move_to(datetime(2026, 3, 4, 14, 10, 1, tzinfo=UTC))
    out = io.StringIO()
    versions = set(RateCount.objects.filter(key__startswith="version:").values_list("key"))
    call_command("purge_expired", stdout=out)
    assert "Removed 6 rate-limit counts whose window had ended." in out.getvalue()
    scopes = {key.split(":")[1] for key in rate_counts().values_list("key", flat=True)}
    assert scopes == {"intake"}
    assert versions  # the cast's programs have been saved
    assert set(RateCount.objects.filter(key__startswith="version:").values_list("key")) == versions
    assert ratelimit.allow("intake", "asker-0") is False  # the running hour still counts
    assert ratelimit.purge_expired() == 0


@pytest.mark.usefixtures("intake_cap_of_five", "at_fixed_time")
def test_a_native_cache_can_hold_the_counts_instead(settings):
    settings.TOOLKIT_RATE_LIMIT_STORE = "cache"
    assert sum(ratelimit.allow("intake", f"asker-{n}") for n in range(10)) == 5
    assert ratelimit.exceeded("intake", "someone-new") is True
    assert not rate_counts().exists()
    assert cache.get(f"rl:intake:g:{HOUR}") == 10


def test_the_store_is_chosen_from_the_cache_backend_unless_set(settings):
    settings.TOOLKIT_RATE_LIMIT_STORE = ""
    assert isinstance(ratelimit.store(), ratelimit.DatabaseCounter)  # local memory
    for backend in ("redis.RedisCache", "memcached.PyMemcacheCache"):
        settings.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}"}}
        assert isinstance(ratelimit.store(), ratelimit.CacheCounter)
    settings.TOOLKIT_RATE_LIMIT_STORE = "database"
    assert isinstance(ratelimit.store(), ratelimit.DatabaseCounter)
