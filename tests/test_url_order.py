"""The order of the URL patterns: every route is reached by its own paths.

Django tries patterns in turn and takes the first that matches, so a pattern moved earlier
(toolkit/urls.py puts the programs' routes early, for the request page) could hide a later
one. Each route's own path, with sample values for its parameters, must resolve to that
route's view; only the sign-in doors that replace a library's own page hide one on purpose.
"""

import re
import uuid

from django.urls import get_resolver, resolve
from django.urls.resolvers import RoutePattern, URLResolver

SAMPLES = {"slug": "sample-slug", "int": "7", "uuid": str(uuid.uuid4()), "str": "abc"}
# The one sign-in door (programs.security): the libraries' own pages behind these paths
# are replaced on purpose.
REPLACED = {
    "/admin/login/",
    "/_util/login/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/email/",
    "/accounts/password/reset/",
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # Wagtail's regular expressions: its page tree, last of all
        route = re.sub(
            r"<(?:(\w+):)?\w+>",
            lambda m: SAMPLES.get(m.group(1) or "str", "abc"),
            str(pattern.pattern),
        )
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + route)
        else:
            yield "/" + prefix + route, pattern


def test_no_route_is_hidden_by_an_earlier_one():
    routes = list(_routes(get_resolver().url_patterns))
    assert len(routes) > 200  # the programs', the API's, the admin's...
    hidden = {
        path: resolve(path).view_name
        for path, pattern in routes
        if resolve(path).func is not pattern.callback and path not in REPLACED
    }
    assert hidden == {}


def test_the_request_page_comes_before_the_other_public_pages():
    modules = [
        p.urlconf_module.__name__
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and hasattr(p.urlconf_module, "__name__")
    ]
    assert modules.index("programs.urls") < modules.index("newsletter.urls")
    assert resolve("/p/sample-slug/request/").view_name == "programs:request"
