"""With the database down: a calm 503 with Retry-After, and a requester's words kept."""

from contextlib import contextmanager
from html import unescape
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from programs import outage
from programs.models import Case
from tests.programs.test_intake_flow import open_form, request_data, request_url

pytestmark = pytest.mark.django_db
WORDS = "Since the crash on the bypass I keep seeing it when I close my eyes."


@contextmanager
def database_down():
    error = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    with (
        mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=error),
        mock.patch("django.db.backends.utils.CursorWrapper.executemany", side_effect=error),
    ):
        yield


def test_a_requester_gets_a_calm_page_with_crisis_lines_not_a_500(client, program):
    with database_down():
        response = client.get(request_url(program))
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    page = unescape(response.content.decode())
    assert "briefly unavailable" in page
    for line in outage.DEFAULT_CRISIS_LINES:
        assert line["name"] in page and line["phone"] in page
    assert "no-store" in response["Cache-Control"]


def test_crisis_lines_for_an_outage_come_from_settings(client, program, settings):
    settings.TOOLKIT_OUTAGE_CRISIS_LINES = [{"name": "Northfield Peer Line", "phone": "0800 111"}]
    with database_down():
        page = unescape(client.get(request_url(program)).content.decode())
    assert "Northfield Peer Line" in page and "0800 111" in page


def test_a_requesters_typed_message_comes_back_with_a_plain_not_sent(client, program):
    token = open_form(client, program)
    with database_down():
        response = client.post(request_url(program), request_data(token, message=WORDS))
    assert response.status_code == 503
    page = unescape(response.content.decode())
    assert "was not sent" in page
    assert f">{WORDS}</textarea>" in page
    assert 'name="form_token"' in page and token in page  # sending again is one click
    assert not Case.objects.exists()


def test_sending_again_once_the_database_is_back_works(client, program):
    token = open_form(client, program)
    with database_down():
        client.post(request_url(program), request_data(token, message=WORDS))
    response = client.post(request_url(program), request_data(token, message=WORDS))
    # Either the receipt, or the form back with the words in it: never lost.
    assert response.status_code in (200, 409)
    assert Case.objects.exists() or WORDS in unescape(response.content.decode())


def test_api_clients_get_json_503_with_retry_after(client, program):
    with database_down():
        response = client.get(f"/api/v1/programs/{program.slug}/resources/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert response.json()["error"]["code"] == "unavailable"


def test_staff_pages_answer_503_too(coordinator):
    # The staff session middleware reads the session first, so the error is raised before
    # any view: the answer comes from the error handler, as for the case below.
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    with database_down():
        response = client.get("/caseload/")
    assert response.status_code == 503


def test_an_outage_outside_any_view_is_still_a_503(program):
    client = Client(raise_request_exception=False)
    with (
        database_down(),
        mock.patch("programs.outage.OutageMiddleware.process_exception", return_value=None),
    ):
        response = client.get(request_url(program))
    assert response.status_code == 503
    assert response["Retry-After"]
