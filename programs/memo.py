"""What a costly staff page built, kept by this worker until the data behind it changes.

The caseload, the coordinator page and the API caseload rebuild the same thing on every
reload: a few costly queries (standing, training, matching) and a long template. Each
keeps its result here under a slot (the page, the person, the host, the language, the page
number) together with the data versions of the programs it shows (`programs.versions`). A
reload finds the copy while no version moved and it is less than SECONDS old; otherwise it
builds anew.

What never comes from here: who may see the page. The views check the person's roles on
every request and key the slot by the programs they hold, so a revoked role shows at once.
Nothing here is shared between people or workers, or written anywhere: the copies hold
decrypted words of requests only in this worker's memory, for at most SECONDS after a
page last built them, and at most MAX_ENTRIES of them.

SECONDS bounds what changes with the clock alone ("no contact in 14 days", training that
expires today): such a figure is at most that late.
"""

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.safestring import mark_safe

from . import versions

SECONDS = 60.0
MAX_ENTRIES = 200

_clock = time.monotonic
_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def enabled() -> bool:
    return getattr(settings, "TOOLKIT_STAFF_MEMO", True)


def slot_for(request, page: str, *parts) -> tuple:
    """The slot of this person's page, in their language, at this host (a page built for
    one host never answers at another, should one ever show its host)."""
    return (page, request.user.pk, request.get_host(), translation.get_language(), *parts)


# A page kept here is rendered with this in place of its forms' CSRF token, and each
# request puts in its own (`with_csrf`): one copy serves every session of the person,
# each with a token of its own session. Random, so no words of a request can hold it.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"


def with_csrf(request, html: str):
    """A kept page's HTML with this request's CSRF token in its forms."""
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308


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
