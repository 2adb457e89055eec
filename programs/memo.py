"""What a costly staff page built, kept by this worker until the data behind it changes.

The caseload, the coordinator page and the API caseload rebuild the same thing on every
reload: a few costly queries (standing, training, matching) and a long template. Each
keeps its result here under a slot (the page, the person, their CSRF secret when the page
carries forms, the language, the page number) together with the data versions of the
programs it shows (`programs.versions`). A reload finds the copy while no version moved and
it is less than SECONDS old; otherwise it builds anew.

What never comes from here: who may see the page. The views check the person's roles on
every request and key the slot by the programs they hold, so a revoked role shows at once.
Nothing here is shared between people or workers, or written anywhere: the copies hold
decrypted words of requests only in this worker's memory, for at most SECONDS after a
page last built them, and at most MAX_ENTRIES of them.

SECONDS bounds what changes with the clock alone ("no contact in 14 days", training that
expires today): such a figure is at most that late.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from hashlib import sha256

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils import translation

from . import versions

SECONDS = 60.0
MAX_ENTRIES = 200

_clock = time.monotonic
_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def enabled() -> bool:
    return getattr(settings, "TOOLKIT_STAFF_MEMO", True)


def slot_for(request, page: str, *parts, forms: bool = True) -> tuple:
    """The slot of this person's page. With `forms`, the copy's forms carry a CSRF token
    made from this person's secret, so the slot holds (a digest of) it."""
    secret = ""
    if forms:
        get_token(request)
        secret = sha256(request.META.get("CSRF_COOKIE", "").encode()).hexdigest()[:16]
    return (page, request.user.pk, secret, translation.get_language(), *parts)


def remembered(slot: tuple, *, programs, build: Callable[[], object]):
    """build()'s result for the slot, built again once a version of `programs` moved or
    SECONDS passed. Callers treat the result as read-only: the next reload gets it too."""
    if not enabled():
        return build()
    seen = versions.read(programs)  # before building: a change meanwhile makes it stale
    now = _clock()
    with _lock:
        _drop_expired(now)
        kept = _entries.get(slot)
        if kept is not None and kept[1] == seen:
            return kept[2]
    value = build()
    with _lock:
        _entries.pop(slot, None)
        # In the order built, so the oldest is first, to expire or to make room.
        _entries[slot] = (now + SECONDS, seen, value)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def _drop_expired(now: float) -> None:
    while _entries:
        first = next(iter(_entries.values()))
        if first[0] > now:
            return
        _entries.popitem(last=False)


def forget() -> None:
    with _lock:
        _entries.clear()
