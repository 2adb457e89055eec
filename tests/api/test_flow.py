"""The README's curl session, end to end: ask, assign, accept, reply, read the reply."""

import pytest

from tests.api.conftest import client_for, profile_of

pytestmark = pytest.mark.django_db


def test_a_requester_asks_anonymously_and_reads_the_supporters_reply(
    program, coordinator, supporter
):
    requester = client_for(None)
    asked = requester.post(
        f"/api/v1/programs/{program.slug}/requests/",
        {"message": "Rough week after the call-out. Could someone talk?"},
    )
    assert asked.status_code == 201
    code = asked.json()["receipt_code"]

    coordinating = client_for(coordinator)
    queue = coordinating.get(f"/api/v1/programs/{program.slug}/queue/").json()
    case_id = queue[0]["id"]
    entry = profile_of(supporter, program).pk
    roster_ids = [
        e["id"] for e in coordinating.get(f"/api/v1/programs/{program.slug}/roster/").json()
    ]
    assert entry in roster_ids
    offered = coordinating.post(f"/api/v1/cases/{case_id}/assign/", {"supporter": entry})
    assert offered.json()["status"] == "offered"

    supporting = client_for(supporter)
    assert [c["id"] for c in supporting.get("/api/v1/caseload/").json()] == [case_id]
    accepted = supporting.patch(f"/api/v1/cases/{case_id}/", {"status": "new"})
    assert accepted.json()["status"] == "new"
    replied = supporting.post(
        f"/api/v1/cases/{case_id}/messages/", {"body": "Hi, I'm here. How are you doing today?"}
    )
    assert replied.status_code == 201

    status = requester.post("/api/v1/requests/lookup/", {"receipt_code": code}).json()
    assert status["status"] == "contacted"
    assert status["supporter"]["display_name"] == profile_of(supporter, program).display_name
    assert [(m["sender"], m["body"]) for m in status["messages"]] == [
        ("requester", "Rough week after the call-out. Could someone talk?"),
        ("supporter", "Hi, I'm here. How are you doing today?"),
    ]
    answered = requester.post(
        "/api/v1/requests/messages/", {"receipt_code": code, "body": "Thanks, better today."}
    )
    assert answered.status_code == 201
    assert supporting.get(f"/api/v1/cases/{case_id}/").json()["status"] == "active"
