"""API tokens: made and revoked by command or by the person themselves."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

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


def test_command_makes_a_token_that_works_until_revoked(supporter):
    key = run("create", "Supporter@Example.org").strip().splitlines()[-1]
    assert with_token(key).get("/api/v1/caseload/").status_code == 200
    assert "revoked" in run("revoke", "supporter@example.org")
    assert with_token(key).get("/api/v1/caseload/").status_code == 401
    assert "nothing changed" in run("revoke", "supporter@example.org")


def test_a_new_token_replaces_the_old_one(supporter):
    old = run("create", "supporter@example.org").strip().splitlines()[-1]
    new = run("create", "supporter@example.org").strip().splitlines()[-1]
    assert old != new
    assert with_token(old).get("/api/v1/caseload/").status_code == 401
    assert with_token(new).get("/api/v1/caseload/").status_code == 200


def test_command_names_an_unknown_person_plainly(db):
    with pytest.raises(CommandError, match="No account"):
        run("create", "nobody@example.org")


def test_people_rotate_and_revoke_their_own_token(supporter):
    client = client_for(supporter)
    response = client.post("/api/v1/auth/token/")
    assert response.status_code == 201
    new = response.json()["token"]
    assert client.get("/api/v1/caseload/").status_code == 401  # the old token is gone
    fresh = with_token(new)
    assert fresh.delete("/api/v1/auth/token/").status_code == 204
    assert fresh.get("/api/v1/caseload/").status_code == 401
