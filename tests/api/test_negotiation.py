"""api.negotiation: the answer given in advance is DRF's own, and every other request is
still negotiated by DRF (a 406 keeps nothing)."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from api.negotiation import JSONContentNegotiation
from programs.models import Case

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html",
    "text/html, application/json;q=0.9",
    "",
    "application/xml",
]
QUERIES = ["", "?format=json", "?format=api", "?page=2"]


def _answer(negotiation, accept, query, renderers):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/anything/{query}", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except Exception as exc:  # noqa: BLE001 - the refusal itself is compared
        return type(exc).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("several", [False, True], ids=["json only", "with the browsable API"])
def test_every_answer_is_drfs_own(accept, query, several):
    renderers = [JSONRenderer(), BrowsableAPIRenderer()] if several else [JSONRenderer()]
    ours = _answer(JSONContentNegotiation(), accept, query, renderers)
    assert ours == _answer(DefaultContentNegotiation(), accept, query, renderers)


@pytest.mark.django_db
def test_an_intake_that_accepts_no_json_is_refused_and_nothing_is_kept(program):
    client = APIClient()
    path = f"/api/v1/programs/{program.slug}/requests/"
    body = {"message": "Could someone call me back this week?"}
    refused = client.post(path, body, format="json", HTTP_ACCEPT="text/html")
    assert refused.status_code == 406
    assert not Case.objects.exists()
    taken = client.post(path, body, format="json", HTTP_ACCEPT="application/json")
    assert taken.status_code == 201 and taken["Content-Type"] == "application/json"
    assert Case.objects.count() == 1
