"""Tenancy guard: nothing of program B ever shows on any page or API route for program A.

Two programs are built once for the module. Every piece of B's public and staff-visible
configuration carries the marker "qbmark" (crisis lines, help resources, units and their
label, training requirements, pages, confidentiality text, supporters' names and emails,
the program's and organisation's names, request text). Then every route of ours — from
the URL resolver and the OpenAPI schema (tests/routes.py, shared with the access matrix)
— is rendered for program A as each of A's roles and as an anonymous visitor, and no
response may contain the marker. A route the tables below do not classify fails
`test_every_route_is_classified` until it is added here.

Topics are one shared vocabulary (see programs.models.Topic): the topic B offers carries
its own marker, which must not reach A's requesters or A's API, but may appear as an
unticked choice in Wagtail's program and roster forms, which list the whole vocabulary.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from cms import events
from cms.models import EventIndexPage, EventPage, NewsletterIssuePage, ProgramPage
from programs.models import (
    HelpResource,
    Membership,
    Program,
    Role,
    Topic,
    TrainingCompletion,
    TrainingRequirement,
    Unit,
)
from programs.services import cases, plans
from tests.factories import (
    make_active_supporter,
    make_member,
    make_program,
    submit_request,
)
from tests.routes import all_routes, api_operations

pytestmark = pytest.mark.django_db

MARK = "qbmark"
VOCAB = "qbvocab"
ROLES = ["anonymous", "admin", "coordinator", "supporter", "editor"]
PASSWORD = "correct horse battery staple"

# ---------------------------------------------------------------- the two programs


def _event(program, **fields) -> EventPage:
    index = EventIndexPage.objects.child_of(ProgramPage.objects.get(program=program)).get()
    return index.add_child(
        instance=EventPage(
            slug="group",
            kind=EventPage.Kind.PEER_GROUP,
            mode=EventPage.Mode.ONLINE,
            online_link=f"https://meet.example.org/{program.slug}",
            start=timezone.now() + timedelta(days=2),
            repeat=EventPage.Repeat.WEEKLY,
            repeat_count=4,
            **fields,
        )
    )


def _first_session(event):
    now = timezone.now()
    return events.occurrences_between(event, now, now + events.LISTED_AHEAD)[0]


def _build() -> dict:
    a = make_program("alpha-tenancy")
    b = make_program("beta-qbmark", template="healthcare")
    Program.objects.filter(pk=b.pk).update(
        name="Beta qbmark Hospital",
        unit_label="qbmark ward",
        confidentiality_limits="qbmark: what you say stays here, with qbmark limits.",
    )
    b.refresh_from_db()
    HelpResource.objects.create(
        program=b, name="qbmark crisis line", kind="crisis", description="qbmark"
    )
    HelpResource.objects.create(program=b, name="qbmark EAP", kind="eap", hours="qbmark hours")
    unit_b = Unit.objects.create(program=b, name="qbmark unit")
    TrainingRequirement.objects.create(program=b, name="qbmark requirement", description="qbmark")
    b.topics.add(Topic.objects.create(slug="qbvocab-topic", name="qbvocab topic"))
    b_page = ProgramPage.objects.get(program=b)
    b_event = _event(b, title="qbmark peer group", description="<p>qbmark</p>")
    Page.objects.descendant_of(b_page, inclusive=True).update(
        title=Concat(F("title"), Value(" qbmark")),
        draft_title=Concat(F("draft_title"), Value(" qbmark")),
    )
    b_peer = make_active_supporter(
        b,
        email="peer@qbmark.example.org",
        unit=unit_b,
        topics=["qbvocab-topic"],
        display_name="qbmark peer",
        gender="qbmark gender",
        availability="qbmark evenings",
        confidentiality_limits="qbmark supporter limits",
    )
    make_member(b, Role.COORDINATOR, email="coordinator@qbmark.example.org")
    submit_request(b, message="qbmark queued message", alias="qbmark alias")
    b_case = submit_request(b, message="qbmark case message").case
    cases.case_offer(case=b_case, supporter=b_peer, actor=None)
    cases.case_accept(case=b_case, actor=b_peer.user)
    qb_line = HelpResource.objects.get(program=b, name="qbmark crisis line")
    plans.requester_plan_save(
        case=b_case, data={"reasons": "qbmark reason", "services": [qb_line.pk]}
    )
    plans.plan_propose(case=b_case, actor=b_peer.user, data={"coping": "qbmark coping"})
    b_event.facilitators.set([b_peer])
    b_event.save_revision().publish()
    b_session = _first_session(b_event)
    events.event_signup(occurrence=b_session, alias="qbmark signup", email="x@qbmark.example.org")

    users = {
        "admin": make_member(a, Role.ADMIN, email="admin@alpha.example.org"),
        "coordinator": make_member(a, Role.COORDINATOR, email="coordinator@alpha.example.org"),
    }
    peer = make_active_supporter(a, email="peer@alpha.example.org", display_name="Alex")
    users["supporter"] = peer.user
    users["editor"] = make_member(a, Role.EDITOR, email="editor@alpha.example.org")
    a_event = _event(a, title="Alpha peer group")
    a_event.facilitators.set([peer])
    a_event.save_revision().publish()
    a_session = _first_session(a_event)
    events.event_signup(occurrence=a_session, alias="Alpha signup")
    queued = submit_request(a, message="Alpha queued")
    assigned = submit_request(a, message="Alpha case")
    cases.case_offer(case=assigned.case, supporter=peer, actor=None)
    cases.case_accept(case=assigned.case, actor=peer.user)
    a_line = HelpResource.objects.filter(program=a).first()
    plans.requester_plan_save(case=assigned.case, data={"reasons": "A", "services": [a_line.pk]})
    plans.plan_propose(case=assigned.case, actor=peer.user, data={"coping": "Alpha coping"})
    return {
        "a": a,
        "b": b,
        "users": users,
        "peer": peer,
        "queued": queued.case,
        "case": assigned.case,
        "receipt": assigned.receipt_code,
        "page": ProgramPage.objects.get(program=a),
        "issue": NewsletterIssuePage.objects.descendant_of(
            ProgramPage.objects.get(program=a)
        ).first(),
        "requirement": TrainingRequirement.objects.filter(program=a).first(),
        "completion": TrainingCompletion.objects.filter(supporter=peer).first(),
        "membership": Membership.objects.get(user=users["coordinator"], program=a),
        "event": a_event,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; each test runs in a savepoint inside this transaction, rolled back last."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def generous_limits(settings):
    settings.TOOLKIT_RATE_LIMITS = {
        scope: {"client": (100000, 3600), "global": (100000, 3600)}
        for scope in ("intake", "lookup")
    }


def client_as(world, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def leaks(response, *, vocab: bool) -> list[str]:
    """The bits of the response that show program B."""
    text = response.content.decode(errors="replace") + response.get("Location", "")
    pattern = f"{MARK}|{VOCAB}" if vocab else MARK
    return [
        text[max(0, m.start() - 80) : m.end() + 40]
        for m in re.finditer(pattern, text, re.IGNORECASE)
    ][:3]


# ---------------------------------------------------------------- classification

# Our web routes: how to exercise each one for program A. "get" renders the page; "post"
# sends an empty (invalid) form, which re-renders the page with its errors or redirects;
# "flow" is a route with its own steps below. URL parameters are filled from A's objects
# by name (PARAMS); Wagtail view set routes with <pk> take that view set's object of A.
WEB = {
    "quick_exit": "get",
    "login": "get",
    "account_login": "get",
    "account_reset_password": "get",
    "rest_framework:login": "get",
    "invitation_accept": "get",
    "second_factors": "get",
    "programs:request": "flow",
    "programs:receipt_download": "flow",
    "programs:status": "flow",
    "programs:status_plan": "flow",  # issue 15
    "programs:status_copy": "flow",
    "programs:caseload_plan": "get",
    "programs:help_directory": "get",
    "newsletter:subscribe": "post",
    "newsletter:confirm": "post",
    "newsletter:unsubscribe": "post",
    "newsletter:rss": "get",
    "newsletter:atom": "get",
    "newsletter_send": "get",
    "newsletter_preview": "get",
    "newsletter_export": "post",
    "search": "flow",
    "event_signup": "get",
    "event_cancel": "post",
    "event_ics": "get",
    "events_feed": "get",
    "caseload_events": "get",
    "programs:home": "get",
    "programs:reports": "get",
    "programs:audit": "get",
    "programs:reports_print": "get",
    "programs:reports_csv": "get",
    "programs:caseload": "get",
    "programs:caseload_case": "get",
    "programs:caseload_accept": "post",
    "programs:caseload_decline": "post",
    "programs:caseload_reply": "post",
    "programs:caseload_note": "post",
    "programs:caseload_refer": "post",
    "programs:caseload_handover": "post",
    "programs:caseload_close": "post",
    "programs:caseload_status": "post",
    "programs:caseload_training": "get",
    "programs:caseload_training_complete": "post",
    "programs:caseload_wellbeing": "get",
    "programs:caseload_pause": "post",
    "programs:caseload_debrief": "post",
    "programs:coordinate": "get",
    "programs:coordinate_request": "get",
    "programs:coordinate_assign": "post",
    "programs:coordinate_reply": "post",
    "programs:coordinate_debrief_done": "post",
    "roster_csv:index": "get",
    "roster_csv:import": "post",
    "roster_csv:export": "get",
    "api:schema": "get",
    "api:docs": "get",
    "api:cms:pages:listing": "flow",
    "api:cms:pages:detail": "flow",
    "api:cms:pages:find": "flow",
}
# Wagtail view sets of ours: every action is rendered with GET.
VIEWSETS = {
    "program_settings": "a_pk",
    "people": "membership",
    "roster": "peer",
    "training": "completion",
}
VIEWSET_ACTIONS = {
    "index",
    "index_results",
    "add",
    "edit",
    "delete",
    "history",
    "history_results",
    "usage",
    "launch",  # program_settings only: the launch checklist, open and close
}
# Wagtail's own screens that show program content: rendered for every role.
WAGTAIL_SCREENS = [
    ("wagtailadmin_home", []),
    ("wagtailadmin_explore_root", []),
    ("wagtailadmin_explore", ["page"]),
    ("wagtailadmin_pages:edit", ["page"]),
    ("wagtailadmin_pages:search", []),
    ("wagtailadmin_reports:locked_pages", []),
    ("wagtailadmin_reports:site_history", []),
    ("wagtailadmin_account", []),
]
# Requests to the API, by operationId; {slug}, {case_id} and {entry_id} are A's.
API = {
    "auth_tokens_list": None,
    "auth_tokens_create": {"name": "Laptop"},
    "auth_tokens_destroy": None,
    "caseload_list": None,
    "cases_retrieve": None,
    "cases_partial_update": {"status": "active"},
    "cases_assign_create": {"supporter": "peer"},
    "cases_messages_create": {"body": "hello"},
    "cases_notes_create": {"contact_type": "phone"},
    "cases_accept_create": None,
    "cases_decline_create": {"reason": "capacity"},
    "cases_status_create": {"status": "active"},
    "cases_refer_create": {"kind": "eap"},
    "cases_handover_create": None,
    "cases_close_create": {"outcome": "supported", "closing_message": "Take care."},
    "programs_list": None,
    "programs_intake_form_retrieve": None,
    "programs_queue_list": None,
    "programs_reports_retrieve": None,
    "programs_audit_retrieve": None,
    "programs_requests_create": {"message": "I am not safe tonight."},
    "programs_resources_list": None,
    "programs_roster_list": None,
    "programs_roster_create": {"email": "new-peer@alpha.example.org"},
    "programs_roster_update_by_id": {"id": "peer", "status": "active"},
    "programs_roster_retrieve": None,
    "programs_roster_partial_update": {"status": "active"},
    "requests_lookup_create": {"receipt_code": "receipt"},
    "requests_messages_create": {"receipt_code": "receipt", "body": "Still here."},
    "requests_withdraw_create": {"receipt_code": "fresh-receipt"},
    # issue 15: the safety plan and the requester's copy
    "requests_plan_retrieve": None,
    "requests_plan_update": {"receipt_code": "receipt", "plan": {"goals": "Sleep"}},
    "requests_copy_create": {"receipt_code": "receipt"},
    "cases_plan_retrieve": None,
    "cases_plan_create": {"plan": {"coping": "Walk"}},
}
# Routes of ours that show no program data at all.
NOT_PROGRAM_DATA = {
    "api:": "the API's JSON 404 for unknown addresses",
}
# Unnamed routes, by path: old login doors that only redirect to the one sign-in page.
UNNAMED_REDIRECTS = {"admin/login/", "_util/login/"}


def _kwargs(world, route) -> dict:
    params = re.findall(r"<(?:\w+:)?(\w+)>", route.path)
    values = {
        "slug": world["a"].slug,
        "case_id": world["case"].pk,
        "requirement_id": world["requirement"].pk,
        "profile_id": world["peer"].pk,
        "supporter_id": world["peer"].pk,
        "program_id": world["a"].pk,
        "entry_id": world["peer"].pk,
        "token": "not-an-invitation",
        "page_id": world["issue"].pk,
        "event_id": world["event"].pk,
    }
    namespace = route.qualified_name.split(":")[0]
    if namespace in VIEWSETS:
        obj = VIEWSETS[namespace]
        values["pk"] = world["a"].pk if obj == "a_pk" else world[obj].pk
    if route.qualified_name == "programs:coordinate_request" or route.qualified_name in (
        "programs:coordinate_assign",
        "programs:coordinate_reply",
    ):
        values["case_id"] = world["queued"].pk
    missing = [p for p in params if p not in values]
    assert not missing, f"{route.qualified_name}: no value of A for {missing}"
    return {p: values[p] for p in params}


def _is_viewset_route(route) -> bool:
    namespace, _sep, action = route.qualified_name.partition(":")
    return namespace in VIEWSETS and action in VIEWSET_ACTIONS


def test_every_route_is_classified():
    """A new route must be classified here before it can ship."""
    routes = [r for r in all_routes() if r.is_ours]
    unclassified = [
        (r.path, r.qualified_name)
        for r in routes
        if r.qualified_name not in WEB
        and r.qualified_name not in NOT_PROGRAM_DATA
        and not _is_viewset_route(r)
        and not (r.path in UNNAMED_REDIRECTS and not r.name)
        and not (r.path.startswith("api/v1/") and r.name)
    ]
    assert unclassified == []
    operations = {op for _method, _path, op in api_operations()}
    assert operations == set(API)
    schema_paths = {path for _method, path, _op in api_operations()}
    for r in routes:
        if r.path.startswith("api/v1/") and r.name:
            template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.path)
            template = template.replace("{pk}", "{id}")  # drf-spectacular's SCHEMA_COERCE_PATH_PK
            assert template in schema_paths, r.path


# ---------------------------------------------------------------- rendering


def _check(world, role, method, url, data=None, *, vocab=True, json=False):
    client = client_as(world, role)
    if method == "get":
        response = client.get(url, data or {})
    elif json:
        response = getattr(client, method)(url, data or {}, content_type="application/json")
    else:
        response = client.post(url, data or {})
    assert response.status_code < 500, (role, method, url, response.status_code)
    found = leaks(response, vocab=vocab)
    assert not found, (role, method, url, found)
    return response


def _request_flow(world, role):
    a = world["a"]
    url = reverse("programs:request", args=[a.slug])
    _check(world, role, "get", url)
    form = _check(world, role, "post", url, {"step": "limits", "acknowledged": "on"})
    token = re.search(r'name="form_token" value="([^"]+)"', form.content.decode()).group(1)
    details = {
        "step": "details",
        "form_token": token,
        "message": "I am not safe tonight.",
        "urgency": "urgent",
        "channel": "messages",
    }
    receipt = _check(world, role, "post", url, details)
    code = re.search(r"\b(?:[0-9A-Z]{4}-){6}[0-9A-Z]{4}\b", receipt.content.decode()).group(0)
    _check(
        world,
        role,
        "post",
        reverse("programs:receipt_download", args=[a.slug]),
        {"receipt_code": code},
    )
    status = reverse("programs:status", args=[a.slug])
    _check(world, role, "get", status)
    _check(world, role, "post", status, {"receipt_code": world["receipt"], "action": "lookup"})
    _check(world, role, "post", status, {"receipt_code": "NOPE", "action": "lookup"})
    plan_url = reverse("programs:status_plan", args=[a.slug])
    for action in ("view", "edit", "print"):
        _check(world, role, "post", plan_url, {"receipt_code": world["receipt"], "action": action})
    copy_url = reverse("programs:status_copy", args=[a.slug])
    for fmt in ("text", "print"):
        _check(world, role, "post", copy_url, {"receipt_code": world["receipt"], "format": fmt})


def _cms_api_flow(world, role):
    page = world["page"]
    _check(world, role, "get", "/api/cms/pages/", {"program": world["a"].slug})
    _check(world, role, "get", f"/api/cms/pages/{page.pk}/")
    _check(world, role, "get", "/api/cms/pages/find/", {"html_path": page.url})


def _search_flow(world, role):
    """Words every starter section has: any of B's pages found would show its qbmark title."""
    url = reverse("search", args=[world["a"].slug])
    _check(world, role, "get", url)
    for words in ("support", "peer", "help", "shift"):
        _check(world, role, "post", url, {"q": words})
    _check(world, role, "get", reverse("programs:help_directory", args=[world["a"].slug]))


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_of_program_a_show_nothing_of_b(world, role):
    _request_flow(world, role)
    _cms_api_flow(world, role)
    _search_flow(world, role)
    for page in world["page"].get_descendants(inclusive=True).live().specific():
        _check(world, role, "get", page.url)


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_for_program_a_show_nothing_of_b(world, role):
    for route in all_routes():
        how = WEB.get(route.qualified_name)
        if _is_viewset_route(route):
            how = "get"
        if how not in ("get", "post"):
            continue
        url = reverse(route.qualified_name, kwargs=_kwargs(world, route))
        # Wagtail's program and roster forms list the whole shared topic vocabulary.
        vocab = not route.qualified_name.startswith(("program_settings:", "roster:"))
        _check(world, role, how, url, vocab=vocab)
        for store in caches.all():
            store.clear()


@pytest.mark.parametrize("role", ROLES)
def test_wagtail_screens_for_program_a_show_nothing_of_b(world, role):
    for name, args in WAGTAIL_SCREENS:
        url = reverse(name, args=[world[a].pk for a in args])
        _check(world, role, "get", url, vocab=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_api_route_for_program_a_shows_nothing_of_b(world, role):
    values = {
        "{slug}": world["a"].slug,
        "{case_id}": str(world["case"].pk),
        "{entry_id}": str(world["peer"].pk),
        "{id}": "999999",
    }
    for method, path, operation in api_operations():
        url = path
        for key, value in values.items():
            url = url.replace(key, value)
        body = dict(API[operation] or {})
        for key, value in body.items():
            if value == "peer":
                body[key] = world["peer"].pk
            elif value == "receipt":
                body[key] = world["receipt"]
            elif value == "fresh-receipt":
                body[key] = submit_request(world["a"]).receipt_code
        _check(world, role, method, url, body, json=True)
        for store in caches.all():
            store.clear()
