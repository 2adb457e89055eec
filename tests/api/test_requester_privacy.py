"""The anonymous routes: nothing about the caller kept, no cookie, calm limits, one 404."""

import io
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from privacy import receipts
from programs.models import Case, HelpResource, Topic
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"
FORWARDED = "203.0.113.77"
AGENT = "Mozilla/5.0 (X11) UniqueTestAgent/9.9"
IDENTIFYING = {"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": FORWARDED, "HTTP_USER_AGENT": AGENT}


def anonymous(**extra) -> APIClient:
    client = APIClient(**extra)
    client.default_format = "json"
    return client


def ask(client, program, **body):
    return client.post(
        f"/api/v1/programs/{program.slug}/requests/",
        {"message": "I keep replaying the last call-out.", **body},
        **IDENTIFYING,
    )


def test_only_a_message_is_needed_and_a_receipt_code_comes_back(program):
    response = ask(anonymous(), program)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued" and body["crisis"] is False
    case = Case.objects.get()
    assert case.messages.get().body == "I keep replaying the last call-out."
    lookup = anonymous().post("/api/v1/requests/lookup/", {"receipt_code": body["receipt_code"]})
    assert lookup.status_code == 200
    assert lookup.json()["messages"][0]["body"] == "I keep replaying the last call-out."


def test_optional_details_are_kept_as_given(program):
    topic = program.topics.first()
    response = ask(
        anonymous(),
        program,
        topics=[topic.slug],
        channel="messages",
        alias="Robin",
        urgency="soon",
        preferences={"shared_experience": True, "language": "en"},
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert list(case.topics.all()) == [topic]
    assert (case.alias, case.urgency, case.wants_shared_experience) == ("Robin", "soon", True)
    assert case.preferred_language.code == "en"


def test_a_crisis_answer_comes_with_the_crisis_lines(program):
    HelpResource.objects.create(program=program, name="Station chaplain", phone="555-0100")
    calm = ask(anonymous(), program).json()
    assert calm["crisis"] is False and calm["crisis_lines"] == []
    response = ask(anonymous(), program, message="I don't want to live like this anymore.")
    body = response.json()
    assert response.status_code == 201
    assert body["crisis"] is True
    phones = [line["phone"] for line in body["crisis_lines"]]
    assert "555-0100" in phones
    assert phones == [r.phone for r in program.crisis_lines()]


def test_nothing_that_identifies_the_caller_is_stored_anywhere(program):
    client = anonymous()
    code = ask(client, program).json()["receipt_code"]
    client.post("/api/v1/requests/lookup/", {"receipt_code": code}, **IDENTIFYING)
    client.post(
        "/api/v1/requests/messages/", {"receipt_code": code, "body": "Thanks"}, **IDENTIFYING
    )
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    stored = dump.getvalue() + "".join(repr(dict(c._cache)) for c in caches.all())
    for secret in (ADDRESS, FORWARDED, "UniqueTestAgent", code, code.replace("-", "")):
        assert secret not in stored


def test_no_cookie_is_set_and_nothing_is_cached_even_for_a_signed_in_browser(program, supporter):
    browser = Client()
    browser.force_login(supporter)
    response = browser.post(
        f"/api/v1/programs/{program.slug}/requests/",
        {"message": "From a shared computer."},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    lookup = browser.post(
        "/api/v1/requests/lookup/",
        {"receipt_code": response.json()["receipt_code"]},
        content_type="application/json",
    )
    assert lookup.status_code == 200
    assert not lookup.cookies
    assert lookup["Cache-Control"] == "no-store"


def test_too_many_requests_get_a_calm_429_per_client(program, settings, steady_clock):
    settings.TOOLKIT_RATE_LIMITS = {
        "intake": {"client": (1, 3600), "global": (100, 3600)},
        "lookup": {"client": (2, 600), "global": (100, 600)},
    }
    client = anonymous()
    assert ask(client, program).status_code == 201
    refused = ask(client, program)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert "Please wait a little" in refused.json()["error"]["message"]
    assert "crisis line" in refused.json()["error"]["message"]
    assert [line["phone"] for line in refused.json()["error"]["crisis_lines"]] == [
        line.phone for line in program.crisis_lines()
    ]
    assert refused.json()["error"]["crisis_lines"]
    assert Case.objects.count() == 1
    elsewhere = client.post(
        f"/api/v1/programs/{program.slug}/requests/",
        {"message": "From another network."},
        REMOTE_ADDR="192.0.2.200",
    )
    assert elsewhere.status_code == 201
    for _ in range(2):
        client.post("/api/v1/requests/lookup/", {"receipt_code": "X"}, **IDENTIFYING)
    limited = client.post("/api/v1/requests/lookup/", {"receipt_code": "X"}, **IDENTIFYING)
    assert limited.status_code == 429


@pytest.fixture
def codes(program):
    """A code of each kind that must look the same from outside, and one live code."""
    client = anonymous()
    live = ask(client, program).json()["receipt_code"]
    withdrawn = ask(client, program).json()["receipt_code"]
    client.post("/api/v1/requests/withdraw/", {"receipt_code": withdrawn})
    expired = ask(client, program).json()["receipt_code"]
    Case.objects.filter(receipt_hash=receipts.digest(expired)).update(
        requester_seen_at=timezone.now() - timedelta(days=program.requester_idle_days + 1)
    )
    bad = {
        "unknown": "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345",
        "malformed": "not a code",
        "withdrawn": withdrawn,
        "expired": expired,
        "dash": "-",
    }
    return bad, live


@pytest.mark.parametrize("route", ["lookup", "messages", "withdraw"])
def test_every_bad_code_gets_the_same_neutral_404(program, codes, route, generous_limits):
    bad, live = codes
    client = anonymous()
    bodies = set()
    for code in bad.values():
        response = client.post(f"/api/v1/requests/{route}/", {"receipt_code": code, "body": "hi"})
        assert response.status_code == 404
        bodies.add(response.content)
    assert len(bodies) == 1
    assert b"We could not find a request with that code" in bodies.pop()
    ok = client.post(f"/api/v1/requests/{route}/", {"receipt_code": live, "body": "hi"})
    assert ok.status_code in (200, 201)


def test_a_staff_token_does_not_open_a_request_without_its_code(program, coordinator):
    response = client_for(coordinator).post("/api/v1/requests/lookup/", {})
    assert response.status_code == 400
    assert "receipt_code" in response.json()["error"]["fields"]


def test_topics_are_named_by_slug_and_must_belong_to_the_program(program):
    elsewhere = Topic.objects.exclude(pk__in=program.topics.values("pk")).first()
    response = ask(anonymous(), program, topics=["no-such-topic"])
    assert response.status_code == 400
    assert "topics" in response.json()["error"]["fields"]
    if elsewhere is not None:
        response = ask(anonymous(), program, topics=[elsewhere.slug])
        assert response.status_code == 400
    assert Case.objects.count() == 0
