"""Requester routes are marked on their views, and every other route is listed as not one.

The anonymity middleware treats a route as a requester's because its view carries
privacy.anonymous_route, so a route that is renamed keeps the treatment, and a new public
route that takes a requester's input fails here until it is marked or listed below.
"""

import ast
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from privacy import anonymous_route, is_anonymous_path, is_anonymous_view
from tests.routes import all_routes

# Anonymous requester routes: the request form, its receipt, the status page, and the API's;
# and search, whose words are as sensitive as a request's (no cookie, no access line).
MARKED = {
    "p/<slug:slug>/search/",
    "p/<slug:slug>/events/<int:event_id>/signup/",  # an alias and maybe an email
    "p/<slug:slug>/events/cancel/",  # the code that cancels someone's sign-up
    "p/<slug:slug>/request/",
    "p/<slug:slug>/request/receipt/",
    "p/<slug:slug>/status/",
    "p/<slug:slug>/status/plan/",  # issue 15: the safety plan and the requester's copy
    "p/<slug:slug>/status/copy/",
    # The newsletter's subscribe, confirm and unsubscribe pages take a person's address or
    # their link's token: no cookie, no referrer, no access line, like the request form.
    "p/<slug:slug>/newsletter/subscribe/",
    "p/<slug:slug>/newsletter/confirm/<str:token>/",
    "p/<slug:slug>/newsletter/u/<str:token>/",
    "api/v1/programs/<slug:slug>/requests/",
    "api/v1/requests/lookup/",
    "api/v1/requests/messages/",
    "api/v1/requests/withdraw/",
    "api/v1/requests/plan/",
    "api/v1/requests/copy/",
}

# Routes of ours allowed without the mark, each for a reason.
SIGNED_IN_STAFF = {
    "me/",
    "reports/<slug:slug>/",
    "audit/<slug:slug>/",
    "reports/<slug:slug>/print/",
    "reports/<slug:slug>/report.csv",
    "caseload/",
    "caseload/cases/<uuid:case_id>/",
    "caseload/cases/<uuid:case_id>/accept/",
    "caseload/cases/<uuid:case_id>/decline/",
    "caseload/cases/<uuid:case_id>/reply/",
    "caseload/cases/<uuid:case_id>/note/",
    "caseload/cases/<uuid:case_id>/refer/",
    "caseload/cases/<uuid:case_id>/handover/",
    "caseload/cases/<uuid:case_id>/close/",
    "caseload/cases/<uuid:case_id>/status/",
    "caseload/cases/<uuid:case_id>/plan/",
    "caseload/training/",
    "caseload/training/<int:requirement_id>/complete/",
    "caseload/wellbeing/",
    "caseload/events/",
    "caseload/wellbeing/<int:profile_id>/pause/",
    "caseload/wellbeing/<int:profile_id>/debrief/",
    "coordinate/<slug:slug>/",
    "coordinate/<slug:slug>/requests/<uuid:case_id>/",
    "coordinate/<slug:slug>/requests/<uuid:case_id>/assign/",
    "coordinate/<slug:slug>/requests/<uuid:case_id>/reply/",
    "coordinate/<slug:slug>/supporters/<int:supporter_id>/debrief-done/",
    "api/v1/caseload/",
    "api/v1/cases/<uuid:case_id>/",
    "api/v1/cases/<uuid:case_id>/messages/",
    "api/v1/cases/<uuid:case_id>/notes/",
    "api/v1/cases/<uuid:case_id>/assign/",
    "api/v1/cases/<uuid:case_id>/accept/",
    "api/v1/cases/<uuid:case_id>/decline/",
    "api/v1/cases/<uuid:case_id>/status/",
    "api/v1/cases/<uuid:case_id>/refer/",
    "api/v1/cases/<uuid:case_id>/handover/",
    "api/v1/cases/<uuid:case_id>/close/",
    "api/v1/cases/<uuid:case_id>/plan/",
    "api/v1/programs/",
    "api/v1/programs/<slug:slug>/roster/",
    "api/v1/programs/<slug:slug>/roster/<int:entry_id>/",
    "api/v1/programs/<slug:slug>/queue/",
    "api/v1/programs/<slug:slug>/reports/",
    "api/v1/programs/<slug:slug>/audit/",
    "api/v1/auth/tokens/",
    "api/v1/auth/tokens/<int:pk>/",
}
STAFF_SIGN_IN = {
    "admin/login/",
    "_util/login/",
    "api-auth/login/",
    "accounts/login/",
    "accounts/password/reset/",
    "accounts/invitation/<str:token>/",
    "coordinate/<slug:slug>/second-factors/",
}
# Public, but they take nothing from a requester beyond the address itself.
PUBLIC_READ = {
    "api/v1/programs/<slug:slug>/intake-form/",
    "api/v1/programs/<slug:slug>/resources/",
    "api/v1/^.*$",  # the API's 404
    "api/cms/^pages/",
    "api/cms/^pages/<int:pk>/",
    "api/cms/^pages/find/",
    "leave/",  # quick exit: a redirect that clears the site's data
    "p/<slug:slug>/help/",  # the help directory: its filters are choices, not words
    "p/<slug:slug>/newsletter/rss/",  # the published issues, as a feed
    "p/<slug:slug>/newsletter/atom/",
    "p/<slug:slug>/events.ics",  # the program's events: a calendar anyone may subscribe to
    "p/<slug:slug>/events/<int:event_id>/event.ics",
}
# Wagtail's admin asks for sign-in on every view; the rest are sign-in, schema and
# document routes; CMS pages are editorial and hold no form.
THIRD_PARTY_PREFIXES = ("admin/", "accounts/", "api-auth/", "_util/", "documents/", "api/schema/")
THIRD_PARTY = {"api/docs/", r"^((?:[\w\-]+/)*)$"}

NOT_REQUESTER = SIGNED_IN_STAFF | STAFF_SIGN_IN | PUBLIC_READ


def _marked_paths(patterns, prefix="") -> set[str]:
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= _marked_paths(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and is_anonymous_view(pattern.callback):
            found.add(prefix + str(pattern.pattern))
    return found


def test_the_requester_routes_and_only_they_carry_the_mark():
    assert _marked_paths(get_resolver().url_patterns) == MARKED


def test_every_route_is_marked_or_listed_as_taking_no_requester_input():
    marked = _marked_paths(get_resolver().url_patterns)
    unlisted = sorted(
        {
            route.path
            for route in all_routes()
            if route.path not in marked
            and route.path not in NOT_REQUESTER
            and not (route.is_ours and route.path.startswith("admin/"))
            and not (
                not route.is_ours
                and (route.path.startswith(THIRD_PARTY_PREFIXES) or route.path in THIRD_PARTY)
            )
        }
    )
    assert unlisted == [], "mark these with @privacy.anonymous_route or list why they are not"
    # The lists name only routes that exist, so a removed route leaves no stale exemption.
    paths = {route.path for route in all_routes()}
    assert (MARKED | NOT_REQUESTER) - paths == set()


def test_each_requester_route_is_treated_as_one_also_without_its_final_slash(program):
    for name, kwargs in [
        ("programs:request", {"slug": program.slug}),
        ("programs:receipt_download", {"slug": program.slug}),
        ("programs:status", {"slug": program.slug}),
        ("api:requests", {"slug": program.slug}),
        ("api:request_lookup", {}),
        ("api:request_messages", {}),
        ("api:request_withdraw", {}),
        ("programs:status_plan", {"slug": program.slug}),
        ("programs:status_copy", {"slug": program.slug}),
        ("api:request_plan", {}),
        ("api:request_copy", {}),
    ]:
        url = reverse(name, kwargs=kwargs)
        assert is_anonymous_path(url), url
        assert is_anonymous_path(url.rstrip("/")), url
    assert not is_anonymous_path(reverse("programs:caseload"))
    assert not is_anonymous_path(reverse("api:intake_form", kwargs={"slug": program.slug}))
    assert not is_anonymous_path("/no/such/page/")


def test_a_typed_request_address_without_its_slash_is_redirected_without_a_trace(client, program):
    response = client.get(f"/p/{program.slug}/request", HTTP_REFERER="https://intranet.example/")
    assert response.status_code == 301
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


# A site whose requester page lives at an address the old path pattern never knew.


def _echo(request):
    response = JsonResponse(
        {"cookies": sorted(request.COOKIES), "referrer": request.META.get("HTTP_REFERER", "")}
    )
    response.set_cookie("tracker", "1")
    return response


@anonymous_route
def _ask(request):
    return _echo(request)


urlpatterns = [
    path("somewhere-else/ask/", _ask),
    path("somewhere-else/staff/", _echo),
    path("", lambda request: HttpResponse("home")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_marked_view_is_anonymous_at_any_address(client):
    client.cookies["canary"] = "colleague"
    referrer = {"HTTP_REFERER": "https://intranet.example/team-rota"}

    asked = client.get("/somewhere-else/ask/", **referrer)
    assert asked.json() == {"cookies": [], "referrer": ""}
    assert not asked.cookies
    assert asked["Cache-Control"] == "no-store"
    assert asked["Referrer-Policy"] == "no-referrer"

    staff = client.get("/somewhere-else/staff/", **referrer)
    assert "canary" in staff.json()["cookies"]
    assert staff.json()["referrer"] == referrer["HTTP_REFERER"]
    assert "tracker" in staff.cookies


def test_the_privacy_package_imports_none_of_the_apps():
    package = Path(settings.BASE_DIR) / "privacy"
    offending = []
    for source in sorted(package.glob("**/*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offending += [
                f"{source.name}: {name}"
                for name in names
                if name.split(".")[0] in {"programs", "cms", "api", "toolkit"}
            ]
    assert offending == []
