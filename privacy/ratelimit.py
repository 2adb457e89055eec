"""Fixed-window rate limits, counted with one atomic statement per limit.

A client is known by an HMAC of its address under a key that changes every day, so no
count is ever stored under an address and yesterday's keys cannot be linked to today's.
IPv6 clients are counted by their /64 network, which one household or phone usually holds.
The numbers live in settings.TOOLKIT_RATE_LIMITS.

The counts live in a table (RateCount) by default: one INSERT ... ON CONFLICT DO UPDATE
... RETURNING per limit, so two workers never lose a hit and nothing can reset a count
before its window ends. Django's database and local-memory caches drop a third of their
entries once they pass MAX_ENTRIES, so a flood from many addresses kept in such a cache would
cull the global count and reset the cap meant to stop that flood; the table is never culled,
only rid of windows that have ended (purge_expired). When the default cache counts natively
(Redis or memcached, from CACHE_URL) the counts go there instead, with its atomic incr.
settings.TOOLKIT_RATE_LIMIT_STORE ("database" or "cache") overrides that choice.
"""

import functools
import hmac
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections
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


class DatabaseCounter:
    """Counts in the RateCount table: one statement per hit (for several keys at once), one
    per read."""

    def hit(self, key: str, expires: datetime) -> int:
        return self.hit_many({key: expires})[key]

    def hit_many(self, expiries: dict[str, datetime]) -> dict[str, int]:
        """Count one hit under each key, in one statement; {key: its count now}."""
        with connection.cursor() as cursor:
            cursor.execute(*self.hit_statement(expiries))
            return dict(cursor.fetchall())

    @staticmethod
    def hit_statement(
        expiries: dict[str, datetime], ceilings: dict[str, int] | None = None
    ) -> tuple[str, list]:
        """hit_many's statement and parameters, for a caller that runs it with its own
        writes (the intake: toolkit.database.write_together); it returns (key, count) rows.

        A key given a ceiling is refused past it (RateCount's check constraint): the whole
        statement fails with an IntegrityError that `refused` recognises."""
        from .models import RateCount

        field = RateCount._meta.get_field("expires")
        db = connections[DEFAULT_DB_ALIAS]  # looked up once, not once per key
        postgresql = db.vendor == "postgresql"
        ceilings = ceilings or {}
        # In key order, so two statements that share keys always lock them in one order.
        keys = sorted(expiries)
        expires = [
            # An aware moment is sent as it is on PostgreSQL: what get_db_prep_value gives.
            moment
            if postgresql and moment.tzinfo is not None
            else field.get_db_prep_value(moment, db)
            for moment in map(expiries.__getitem__, keys)
        ]
        bounds = [ceilings.get(key) for key in keys]
        if postgresql:
            # One JSON parameter, whatever the number of keys: one text, and few parameters
            # (psycopg keeps the parse of a statement only up to 50 of them; a JSON text
            # costs it less to pass than arrays do).
            hits = [
                {"k": key, "e": moment.isoformat(), "c": bound}
                for key, moment, bound in zip(keys, expires, bounds, strict=True)
            ]
            return _hit_sql(0), [json.dumps(hits)]
        params = []
        for row in zip(keys, expires, bounds, strict=True):
            params += row
        return _hit_sql(len(keys)), params

    def count(self, key: str) -> int:
        from .models import RateCount

        return RateCount.objects.filter(key=key).values_list("count", flat=True).first() or 0

    def counts(self, keys: list[str]) -> dict[str, int]:
        """{key: its count} for the keys that have one, in one statement written once per
        number of keys (asked on every staff page kept, where compiling the ORM's query
        cost more than running it)."""
        if not keys:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(_counts_sql(len(keys)), list(keys))
            return dict(cursor.fetchall())

    def forget(self, key: str) -> None:
        from .models import RateCount

        RateCount.objects.filter(key=key).delete()


@functools.cache
def _hit_sql(rows: int) -> str:
    """The upsert for `rows` keys as VALUES rows, or (0) for PostgreSQL, from a JSON list.
    Only quoted names from the model are formatted in; keys, windows and ceilings are
    parameters."""
    from .models import RateCount

    qn, meta = connection.ops.quote_name, RateCount._meta
    table = qn(meta.db_table)
    key, count, expires, ceiling = (
        qn(meta.get_field(name).column) for name in ("key", "count", "expires", "ceiling")
    )
    if rows:
        source = "VALUES " + ", ".join(["(%s, 1, %s, %s)"] * rows)
    else:
        source = (
            "SELECT h.k, 1, h.e, h.c FROM jsonb_to_recordset(%s::jsonb) "
            "AS h(k varchar, e timestamptz, c integer) ORDER BY h.k"
        )
    return (
        f"INSERT INTO {table} ({key}, {count}, {expires}, {ceiling}) {source} "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + 1, "
        f"{ceiling} = EXCLUDED.{ceiling} RETURNING {key}, {count}"
    )


def refused(exc: Exception) -> bool:
    """Whether a database error is RateCount refusing a hit past its ceiling."""
    from .models import CEILING_CONSTRAINT

    return isinstance(exc, IntegrityError) and CEILING_CONSTRAINT in str(exc)


@functools.cache
def _counts_sql(n: int) -> str:
    """Only quoted names from the model are formatted in; the keys are parameters."""
    from .models import RateCount

    qn, meta = connection.ops.quote_name, RateCount._meta
    key_col, count_col = (qn(meta.get_field(name).column) for name in ("key", "count"))
    marks = ", ".join(["%s"] * n)
    return f"SELECT {key_col}, {count_col} FROM {qn(meta.db_table)} WHERE {key_col} IN ({marks})"  # noqa: S608


class CacheCounter:
    """Counts in a cache whose incr is atomic and keeps the entry's expiry (Redis,
    memcached; local memory in tests). Not for the database cache, whose incr resets it."""

    def hit_many(self, expiries: dict[str, datetime]) -> dict[str, int]:
        return {key: self.hit(key, expires) for key, expires in expiries.items()}

    def hit(self, key: str, expires: datetime) -> int:
        timeout = max(1, int((expires - timezone.now()).total_seconds()) + 1)
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # gone between add and incr
            cache.add(key, 1, timeout=timeout)
            return 1

    def count(self, key: str) -> int:
        return cache.get(key) or 0

    def forget(self, key: str) -> None:
        cache.delete(key)


STORES = {"database": DatabaseCounter(), "cache": CacheCounter()}


def store() -> DatabaseCounter | CacheCounter:
    """settings.TOOLKIT_RATE_LIMIT_STORE, or else the cache if it counts natively."""
    name = getattr(settings, "TOOLKIT_RATE_LIMIT_STORE", "")
    if not name:
        backend = settings.CACHES["default"]["BACKEND"].lower()
        native = "redis" in backend or ("memcache" in backend and "locmem" not in backend)
        name = "cache" if native else "database"
    return STORES[name]


def _key(key: str, window: int) -> tuple[str, datetime]:
    """The stored key (with the window's number) and the moment the window ends."""
    bucket = _bucket(window)[0]
    return f"rl:{key}:{bucket}", datetime.fromtimestamp((bucket + 1) * window, tz=UTC)


def hit(key: str, limit: int, window: int) -> bool:
    """Count one hit under key in the current window; True while under the limit."""
    return hit_all((key, limit, window))


@dataclass(frozen=True)
class Count:
    """One count, planned: the stored keys to raise (with the moment each window ends) and
    the limit each may reach. `within` judges the counts the store answered."""

    expiries: dict[str, datetime]
    limits: dict[str, int]

    def within(self, counts: dict[str, int]) -> bool:
        return all(counts[key] <= limit for key, limit in self.limits.items())


def planned(*limits: tuple[str, int, int]) -> Count:
    """The count hit_all takes, not taken yet."""
    stored = {key: (_key(key, window), limit) for key, limit, window in limits}
    expiries = dict(stored_key for stored_key, _limit in stored.values())
    return Count(expiries, {stored_key[0]: limit for stored_key, limit in stored.values()})


def hit_all(*limits: tuple[str, int, int]) -> bool:
    """Count one hit under each (key, limit, window), together; True while all are under
    their limits. Every count is taken even when one is already over."""
    count = planned(*limits)
    return count.within(store().hit_many(count.expiries))


def in_database() -> bool:
    """Whether the counts live in the database (RateCount), not in a native cache."""
    return isinstance(store(), DatabaseCounter)


def _full(key: str, limit: int, window: int) -> bool:
    return store().count(_key(key, window)[0]) >= limit


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete the database counts whose window has ended; a running window is never touched."""
    from .models import RateCount

    deleted, _ = RateCount.objects.filter(expires__lte=now or timezone.now()).delete()
    return deleted


def _limits(scope: str):
    limits = settings.TOOLKIT_RATE_LIMITS[scope]
    return limits["client"], limits["global"]


def allowance(scope: str, client: str, *, client_limit: int | None = None) -> Count:
    """The count `allow` takes, not taken yet (for a caller that takes it in its own
    statement with DatabaseCounter.hit_statement, and judges it with Count.within)."""
    per_client, overall = _limits(scope)
    if client_limit is not None:
        per_client = (client_limit, per_client[1])
    return planned((f"{scope}:c:{client}", *per_client), (f"{scope}:g", *overall))


def allow(scope: str, client: str, *, client_limit: int | None = None) -> bool:
    """Count a hit for this client and for everyone; False if either limit is passed.

    client_limit replaces the per-client count from the settings (a program's own limit);
    the window stays the scope's.
    """
    count = allowance(scope, client, client_limit=client_limit)
    return count.within(store().hit_many(count.expiries))


def exceeded(scope: str, client: str) -> bool:
    """True if this client, or everyone together, has used up the window (counts nothing)."""
    per_client, overall = _limits(scope)
    return _full(f"{scope}:c:{client}", *per_client) or _full(f"{scope}:g", *overall)


def seconds_until_next_window(window: int) -> int:
    return _bucket(window)[1]


def seconds_left(scope: str) -> int:
    """Seconds until this scope's per-client window starts again."""
    return seconds_until_next_window(_limits(scope)[0][1])
