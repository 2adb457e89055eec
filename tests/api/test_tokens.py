"""API tokens: named, expiring, shown once, stored as a digest, revocable by their owner."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from programs.models import Membership
from programs.services import members
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def run(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def test_a_token_is_shown_once_and_only_its_digest_is_stored(supporter):
    response = client_for(supporter).post(
        "/api/v1/auth/tokens/", {"name": "laptop script"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    key = body["token"]
    assert body["name"] == "laptop script"
    assert body["expires"]
    stored = AuthToken.objects.get(api_token__pk=body["id"])
    assert key not in (stored.digest, stored.token_key) and len(stored.token_key) < len(key)
    assert with_token(key).get("/api/v1/caseload/").status_code == 200
    listed = with_token(key).get("/api/v1/auth/tokens/").json()
    assert "laptop script" in [t["name"] for t in listed]
    assert all("token" not in t for t in listed)  # never shown again


def test_people_list_and_revoke_only_their_own_tokens(supporter, other_supporter):
    mine = client_for(supporter).post("/api/v1/auth/tokens/", {"name": "mine"}, format="json")
    theirs = client_for(other_supporter)
    assert "mine" not in [t["name"] for t in theirs.get("/api/v1/auth/tokens/").json()]
    token_id = mine.json()["id"]
    assert theirs.delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 404
    key = mine.json()["token"]
    assert with_token(key).get("/api/v1/caseload/").status_code == 200
    assert with_token(key).delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 204
    assert with_token(key).get("/api/v1/caseload/").status_code == 401


def test_a_token_stops_working_when_it_expires(supporter):
    response = client_for(supporter).post(
        "/api/v1/auth/tokens/", {"name": "short", "expires_in_days": 1}, format="json"
    )
    key = response.json()["token"]
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert with_token(key).get("/api/v1/caseload/").status_code == 401


def test_a_token_needs_a_name_and_a_sensible_lifetime(supporter):
    client = client_for(supporter)
    assert client.post("/api/v1/auth/tokens/", {}, format="json").status_code == 400
    too_long = {"name": "x", "expires_in_days": 3650}
    assert client.post("/api/v1/auth/tokens/", too_long, format="json").status_code == 400


def test_someone_without_a_role_cannot_make_a_token(outsider):
    response = client_for(outsider).post("/api/v1/auth/tokens/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert not AuthToken.objects.filter(user=outsider, api_token__isnull=False).exists()
    with pytest.raises(CommandError, match="role in a program"):
        run("create", outsider.email)


def test_losing_the_last_role_revokes_every_token(supporter, program):
    key = run("create", "supporter@example.org", "--name", "cron").strip().splitlines()[-1]
    assert with_token(key).get("/api/v1/caseload/").status_code == 200
    members.membership_revoke(membership=Membership.objects.get(user=supporter, program=program))
    assert with_token(key).get("/api/v1/caseload/").status_code == 401


def test_command_makes_lists_and_revokes_tokens(supporter):
    key = run("create", "Supporter@Example.org", "--name", "cron").strip().splitlines()[-1]
    assert with_token(key).get("/api/v1/caseload/").status_code == 200
    assert "cron" in run("list", "supporter@example.org")
    assert "revoked" in run("revoke", "supporter@example.org")
    assert with_token(key).get("/api/v1/caseload/").status_code == 401
    assert "nothing changed" in run("revoke", "supporter@example.org")


def test_command_names_an_unknown_person_plainly(db):
    with pytest.raises(CommandError, match="No account"):
        run("create", "nobody@example.org")
