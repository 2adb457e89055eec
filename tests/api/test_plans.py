"""The safety plan through the API: the same services and answers as the web pages."""

import pytest
from rest_framework.test import APIClient

from programs.models import CaseAccess, HelpResource, PlanProposal
from programs.services import cases, plans
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

PLAN = "/api/v1/requests/plan/"
COPY = "/api/v1/requests/copy/"


def case_plan(case):
    return f"/api/v1/cases/{case.pk}/plan/"


def test_the_person_saves_and_reads_their_plan_by_header_or_body(assigned_case, program):
    client = APIClient()
    code = assigned_case.receipt_code
    line = HelpResource.objects.filter(program=program, kind="crisis").first()
    saved = client.put(
        PLAN,
        {
            "receipt_code": code,
            "plan": {
                "reasons": "My kids",
                "services": [line.pk],
                "steps": [{"text": "Walk", "target": "2030-01-31"}],
                "new_checkin": "Better week",
            },
        },
        format="json",
    )
    assert saved.status_code == 200, saved.content
    body = client.get(PLAN, HTTP_X_RECEIPT_CODE=code).json()
    assert body["plan"]["reasons"] == "My kids"
    assert body["plan"]["steps"][0]["target"] == "2030-01-31"
    assert body["plan"]["checkins"][0]["text"] == "Better week"
    assert body["reach_out_now"][0]["kind"] == "crisis"
    assert body["editable"] is True and body["deletes_on"] is None
    # The web page reads the same plan.
    assert plans.plan_content(case=assigned_case)["reasons"] == "My kids"
    assert CaseAccess.objects.filter(
        case_id=assigned_case.pk, action=CaseAccess.Action.REQUESTER_PLAN, via="api"
    ).exists()


def test_the_code_is_refused_in_the_address(assigned_case):
    response = APIClient().get(PLAN + f"?receipt_code={assigned_case.receipt_code}")
    assert response.status_code == 400
    assert "address" in response.json()["error"]["fields"]["receipt_code"][0]


def test_over_long_and_closed_answer_with_clear_messages(assigned_case, supporter):
    client = APIClient()
    code = assigned_case.receipt_code
    long = client.put(PLAN, {"receipt_code": code, "plan": {"coping": "x" * 2001}}, format="json")
    assert long.status_code == 400
    assert long.json()["error"]["fields"]["coping"] == [
        "Please keep this under 2000 characters (it is 2001 now)."
    ]
    cases.case_close(case=assigned_case, actor=supporter, outcome="supported", closing_message="x")
    closed = client.put(PLAN, {"receipt_code": code, "plan": {"coping": "late"}}, format="json")
    assert closed.status_code == 409
    assert "closed" in closed.json()["error"]["message"]
    assert client.get(PLAN, HTTP_X_RECEIPT_CODE=code).json()["deletes_on"]
    staff = client_for(supporter)
    assert staff.get(case_plan(assigned_case)).status_code == 404
    refused = staff.post(case_plan(assigned_case), {"plan": {"coping": "x"}}, format="json")
    assert refused.status_code == 409 and "closed" in refused.json()["error"]["message"]


def test_propose_then_accept_changed_or_reject_through_the_api(assigned_case, supporter):
    staff = client_for(supporter)
    proposed = staff.post(
        case_plan(assigned_case),
        {"plan": {"coping": "Box breathing"}, "note": "From our chat"},
        format="json",
    )
    assert proposed.status_code == 201, proposed.content
    client = APIClient()
    code = assigned_case.receipt_code
    pending = client.get(PLAN, HTTP_X_RECEIPT_CODE=code).json()["proposals"]
    assert [p["plan"]["coping"] for p in pending] == ["Box breathing"]
    accepted = client.put(
        PLAN,
        {
            "receipt_code": code,
            "proposal": pending[0]["id"],
            "decision": "accept",
            "plan": {"coping": "Box breathing, slowly"},
        },
        format="json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["plan"]["coping"] == "Box breathing, slowly"
    assert staff.get(case_plan(assigned_case)).json()["plan"]["coping"] == "Box breathing, slowly"
    staff.post(case_plan(assigned_case), {"plan": {"coping": "Other"}}, format="json")
    second = PlanProposal.objects.filter(status="pending").get()
    client.put(
        PLAN, {"receipt_code": code, "proposal": second.pk, "decision": "reject"}, format="json"
    )
    assert plans.plan_content(case=assigned_case)["coping"] == "Box breathing, slowly"
    second.refresh_from_db()
    assert second.status == PlanProposal.Status.REJECTED


def test_the_copy_downloads_as_text_with_the_code_in_the_body(assigned_case):
    plans.requester_plan_save(case=assigned_case, data={"goals": "Back at work"})
    response = APIClient().post(COPY, {"receipt_code": assigned_case.receipt_code}, format="json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Nobody at the station knows" in text and "Back at work" in text
    assert APIClient().post(COPY, {"receipt_code": "NOPE"}, format="json").status_code == 404


def test_a_part_not_sent_stays_as_it_was(assigned_case, supporter):
    client = APIClient()
    code = assigned_case.receipt_code
    client.put(PLAN, {"receipt_code": code, "plan": {"reasons": "Mine"}}, format="json")
    client.put(PLAN, {"receipt_code": code, "plan": {"goals": "Sleep"}}, format="json")
    client_for(supporter).post(
        case_plan(assigned_case), {"plan": {"coping": "Walk"}}, format="json"
    )
    proposal = PlanProposal.objects.get()
    client.put(
        PLAN, {"receipt_code": code, "proposal": proposal.pk, "decision": "accept"}, format="json"
    )
    plan = plans.plan_content(case=assigned_case)
    assert (plan["reasons"], plan["goals"], plan["coping"]) == ("Mine", "Sleep", "Walk")


def test_the_lookup_says_when_the_conversation_will_be_deleted(assigned_case, supporter):
    client = APIClient()
    code = {"receipt_code": assigned_case.receipt_code}
    body = client.post("/api/v1/requests/lookup/", code, format="json").json()
    assert body["deletes_on"] is None
    assert body["retention_days"] == assigned_case.program.retention_days
    cases.case_close(case=assigned_case, actor=supporter, outcome="supported", closing_message="x")
    body = client.post("/api/v1/requests/lookup/", code, format="json").json()
    assert body["deletes_on"] == str(cases.case_purge_date(assigned_case))
