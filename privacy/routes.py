"""Which routes belong to anonymous requesters: marked on the view, found through the resolver.

A path is a requester route because its view says so, not because of how the path is
spelled, so renaming or moving a route keeps the anonymity treatment.
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import Resolver404, get_urlconf, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

MARK = "privacy_anonymous_route"


def anonymous_route(view):
    """Mark a view function or class-based view as an anonymous requester route.

    On such a route the anonymity middleware removes the referrer and every cookie before the
    view runs, sets no cookie, forbids caching, and gunicorn writes no access line.
    """
    setattr(view, MARK, True)
    return view


def anonymous_form(view):
    """An anonymous route that takes what someone typed: marked, never cached, its POST data
    and local variables kept out of error reports, and no CSRF cookie (these pages set no
    cookie; a signed one-time form token guards each form instead, see formtokens)."""
    return anonymous_route(
        csrf_exempt(never_cache(sensitive_post_parameters()(sensitive_variables()(view))))
    )


def is_anonymous_view(callback) -> bool:
    """True if the resolved view (function, Django or REST framework class) carries the mark."""
    if getattr(callback, MARK, False):
        return True
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    # Only the class itself: a subclass must be marked on its own.
    return view_class is not None and bool(vars(view_class).get(MARK, False))


@lru_cache(maxsize=4096)
def _route(path: str, urlconf) -> tuple[str | None, bool]:
    """(view name, is a requester route) for a path, or (None, False) if nothing matches.

    Resolving walks every pattern up to Wagtail's catch-all, and both the anonymity
    middleware and the page cache ask before the view runs: the answer depends only on the
    path and the URL configuration, so it is kept (a bounded number of paths).
    """
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None, False
    return match.view_name, is_anonymous_view(match.func)


def route_of(path: str) -> tuple[str | None, bool]:
    return _route(path, get_urlconf())


@receiver(setting_changed)
def _forget_routes(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _route.cache_clear()


def _resolves_to_marked(path: str) -> bool:
    return route_of(path)[1]


def is_anonymous_path(path_info: str) -> bool:
    """True if the path leads to a marked view, also when typed without its final slash
    (CommonMiddleware's redirect to the slashed route is a requester response too)."""
    if _resolves_to_marked(path_info):
        return True
    return (
        settings.APPEND_SLASH
        and not path_info.endswith("/")
        and _resolves_to_marked(path_info + "/")
    )
