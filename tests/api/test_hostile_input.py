"""Hostile bodies and addresses get a 400 in the API's error shape, never a server error."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
DEPTH = 100_000


def deep_body() -> str:
    return '{"message": ' + "[" * DEPTH + "]" * DEPTH + "}"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.mark.parametrize("route", ["/api/v1/programs/{slug}/requests/", "/api/v1/requests/lookup/"])
def test_a_body_nested_100000_deep_is_refused_plainly(anonymous, program, route):
    response = anonymous.post(
        route.format(slug=program.slug), deep_body(), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" in error_of(response)["message"]


def test_a_nul_inside_a_json_string_is_refused_plainly(anonymous, program):
    response = anonymous.post(
        f"/api/v1/programs/{program.slug}/requests/",
        '{"message": "I need \\u0000 help"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    error_of(response)


@pytest.mark.parametrize(
    "address",
    [
        "/api/cms/pages/?search=fire%00",
        "/api/cms/pages/?program=city%00fire",
        "/api/cms/pages/find/?html_path=/%00/",
    ],
)
def test_a_nul_in_the_address_is_a_400_in_the_api_shape(anonymous, program, address):
    response = anonymous.get(address)
    assert response.status_code == 400
    error_of(response)


def test_ordinary_searches_still_work(anonymous, program):
    assert anonymous.get("/api/cms/pages/?search=fire").status_code == 200
