"""A page cache for anonymous public pages: identical for every visitor, so rendered once.

What is cached: a GET of a Wagtail page, or of a program's request page (the limits step)
or its status form, by a visitor with no session cookie, answered 200 with no cookie set
and no form token or receipt in the page. Never the admin, a preview, a signed-in person's
view, a POST, or a page that set a cookie (a CSRF token, a session, a message).

The key is scheme + host + full path + language, so one program's page is never served at
another program's path or host. The entry keeps which program the page showed (read from
the response's context, not from the path) and when its rendering began.

Invalidation: publishing, unpublishing, moving or deleting a page, and saving a program or
one of its crisis lines, help resources or units, stamps the program (or the whole site,
for the home page and program landing pages) with the time, in the default cache that
every worker shares. An entry rendered before the latest stamp of its program or of the
site is stale. So a hit costs one read of the page and, at most once a second per worker,
one read of the two stamps (STAMPS_KEPT_SECONDS): a change made through one worker is seen
by the others within that second, and at once by the worker that made it. The stamp is
written at once and again when the transaction commits, so a page rendered from the old
rows while the change was committing is stale too. A stamp missing when a page is read
(evicted) is written as "now", which makes every older entry stale; one missing when a
page is stored is written as the moment that rendering began (and entries live ten
minutes at most, as a backstop).

Headers: the entry keeps every header the inner middleware added (Content-Security-Policy,
X-Frame-Options, Referrer-Policy, ...), and the anonymity middleware, which runs outside
this one, sets no-store and no-referrer on requester routes for hits and misses alike.
The content security policy uses no per-request nonce (see CONTENT_SECURITY_POLICY), so
a cached page repeats nothing that belongs to one visitor.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation

from privacy.routes import route_of

logger = logging.getLogger(__name__)

PAGE_CACHE = "pages"
SITE_SCOPE = "site"
# A backstop only: invalidation is by stamps; this bounds an entry's life should a stamp be
# lost (evicted from the default cache) in the moment between a change and a rendering.
TIMEOUT = 10 * 60
_STAMP_KEY = "pagecache:stamp:{}"
# Public views whose GET carries no form token and no receipt; their POSTs are never cached.
CACHEABLE_VIEWS = {"wagtail_serve", "programs:request", "programs:status"}
# Headers that describe one response's transfer or one visitor, never replayed.
_NOT_KEPT = {"set-cookie", "content-length", "date"}
# Defence in depth: such pages set a cookie or are POST answers, and are skipped anyway.
_NOT_CACHED_MARKERS = (b'name="form_token"', b'name="csrfmiddlewaretoken"')


def enabled() -> bool:
    return getattr(settings, "TOOLKIT_PAGE_CACHE", True)


def program_scope(program_id) -> str:
    return f"program:{program_id}"


def _stamp_now(scopes) -> None:
    now = time.time_ns()
    caches["default"].set_many({_STAMP_KEY.format(s): now for s in scopes}, timeout=None)
    for scope in scopes:
        _kept_stamps.pop(scope, None)


def invalidate(*scopes: str) -> None:
    """Every cached page of these scopes (a program_scope, or SITE_SCOPE) is stale from now."""
    scopes = [s for s in scopes if s]
    if not scopes:
        return
    # At once, inside the change's transaction: if the shared cache cannot be written, the
    # change fails rather than leaving stale pages. Again after the commit, for pages
    # rendered from the old rows meanwhile.
    _stamp_now(scopes)
    transaction.on_commit(lambda: _stamp_now(scopes), robust=True)


# A worker keeps the stamps it read for this long before reading them again, so most hits
# cost no read of the shared cache at all. A change made through another worker therefore
# shows within this time; one made through this worker shows at once (`_stamp_now`).
STAMPS_KEPT_SECONDS = 1.0
_kept_stamps: dict[str, tuple[int, float]] = {}


def _stamps(scopes) -> dict:
    """The latest stamp of each scope; a missing (evicted) one is written as now."""
    now = time.monotonic()
    kept = {s: _kept_stamps.get(s) for s in scopes}
    if all(k is not None and now - k[1] < STAMPS_KEPT_SECONDS for k in kept.values()):
        return {s: k[0] for s, k in kept.items()}
    keys = {s: _STAMP_KEY.format(s) for s in scopes}
    found = caches["default"].get_many(keys.values())
    missing = [s for s, k in keys.items() if k not in found]
    if missing:
        _stamp_now(missing)
        return {s: time.time_ns() for s in scopes}
    stamps = {s: found[k] for s, k in keys.items()}
    _kept_stamps.update({s: (stamp, now) for s, stamp in stamps.items()})
    return stamps


def _ensure_stamps(scopes, before: int) -> None:
    """A scope never stamped yet (or evicted) gets a stamp just before this rendering began,
    so the entry is fresh and any older one stays stale. `add` never overwrites a stamp a
    concurrent change wrote."""
    store = caches["default"]
    keys = [_STAMP_KEY.format(s) for s in scopes]
    found = store.get_many(keys)
    for key in keys:
        if key not in found:
            store.add(key, before, timeout=None)


def _view_name(request) -> str | None:
    return route_of(request.path_info)[0]


def _key(request) -> str | None:
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: let the normal path answer it
        return None
    language = translation.get_language_from_request(request)
    raw = "|".join([request.scheme, host, request.get_full_path(), language])
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _may_serve_from_cache(request) -> bool:
    if not enabled() or request.method not in ("GET", "HEAD"):
        return False
    # A session cookie may be a signed-in colleague's: they see their own view. The
    # session is not opened here, so an anonymous visitor is never given one.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if request.path_info.startswith(("/admin/", "/api/", "/accounts/", "/documents/")):
        return False
    return _view_name(request) in CACHEABLE_VIEWS


def _scope_of(response) -> str | None:
    context = getattr(response, "context_data", None) or {}
    program = context.get("program")
    return program_scope(program.pk) if program is not None else None


def _may_store(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or session.session_key):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if getattr(request, "_page_cache_never", False):
        return False
    # Requester routes say "private, no-store" to browsers and proxies, so that a shared
    # computer keeps nothing; they saw no cookie, so their page is the same for everyone
    # and may be kept here. Elsewhere "private" is taken at its word.
    private = "private" in response.get("Cache-Control", "")
    if private and not getattr(request, "anonymous_requester", False):
        return False
    return not any(marker in response.content for marker in _NOT_CACHED_MARKERS)


def _replay(entry) -> HttpResponse:
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(entry["content"]))
    return response


class PageCacheMiddleware:
    """Right after the anonymity middleware: a hit skips sessions, auth and the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_serve_from_cache(request):
            return self.get_response(request)
        key = _key(request)
        if key is None:
            return self.get_response(request)
        try:
            hit = self._hit(key)
        except Exception:  # the cache (perhaps the database cache) is down: render
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        if hit is not None:
            return hit
        started = time.time_ns()
        response = self.get_response(request)
        if _may_store(request, response):
            try:
                self._store(key, response, started)
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
        return response

    def _hit(self, key):
        entry = caches[PAGE_CACHE].get(key)
        if entry is None:
            return None
        scopes = [SITE_SCOPE, *([entry["scope"]] if entry["scope"] else [])]
        stamps = _stamps(scopes)
        if all(stamp < entry["started"] for stamp in stamps.values()):
            return _replay(entry)
        return None

    def _store(self, key, response, started):
        scope = _scope_of(response)
        _ensure_stamps([SITE_SCOPE, *([scope] if scope else [])], started - 1)
        entry = {
            "scope": scope,
            "started": started,
            "content": response.content,
            "headers": [
                (name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT
            ],
        }
        caches[PAGE_CACHE].set(key, entry, TIMEOUT)


# Invalidation -------------------------------------------------------------------------


def _page_scope(page) -> str:
    """A page inside a program's section stamps its program; the home page, a landing page
    (listed on the home page) or any page outside a section stamps the whole site."""
    from .models import ProgramPage

    if issubclass(page.specific_class or object, ProgramPage):
        return SITE_SCOPE
    program_id = ProgramPage.objects.ancestor_of(page).values_list("program_id", flat=True).first()
    return program_scope(program_id) if program_id else SITE_SCOPE


def _on_page_changed(sender, instance, **kwargs):
    invalidate(_page_scope(instance))


def _on_page_gone(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        invalidate(SITE_SCOPE)


def _on_site_changed(sender, instance, **kwargs):
    invalidate(SITE_SCOPE)


def _on_program_changed(sender, instance, **kwargs):
    invalidate(program_scope(instance.pk))


def _on_program_part_changed(sender, instance, **kwargs):
    invalidate(program_scope(instance.program_id))


def program_stamp(program_id) -> int | None:
    """When the program, its crisis lines, help or units last changed, read as a page hit
    reads it (at most once a second per worker); None when it has no stamp. Unlike a page
    hit, nothing is written for a missing stamp: a stamp written now would tell when a
    requester sent something."""
    scope = program_scope(program_id)
    now = time.monotonic()
    kept = _kept_stamps.get(scope)
    if kept is not None and now - kept[1] < STAMPS_KEPT_SECONDS:
        return kept[0]
    stamp = caches["default"].get(_STAMP_KEY.format(scope))
    if stamp is not None:
        _kept_stamps[scope] = (stamp, now)
    return stamp


def connect_receivers() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from programs import selectors
    from programs.models import HelpResource, Program, Unit

    # The public intake keeps a program for a second at most past a change, as pages are.
    selectors.memo_stamps_from(program_stamp)

    uid = "cms-pagecache-"
    page_published.connect(_on_page_changed, dispatch_uid=uid + "published")
    page_unpublished.connect(_on_page_changed, dispatch_uid=uid + "unpublished")
    # A move changes paths under two parents and the home page's list: the whole site.
    post_page_move.connect(_on_page_gone, dispatch_uid=uid + "moved")
    post_delete.connect(_on_page_gone, dispatch_uid=uid + "page-deleted")
    for signal in (post_save, post_delete):
        name = signal is post_save and "saved" or "deleted"
        signal.connect(_on_site_changed, sender=Site, dispatch_uid=f"{uid}site-{name}")
        signal.connect(_on_program_changed, sender=Program, dispatch_uid=f"{uid}program-{name}")
        for model in (HelpResource, Unit):
            signal.connect(
                _on_program_part_changed,
                sender=model,
                dispatch_uid=f"{uid}{model._meta.model_name}-{name}",
            )
