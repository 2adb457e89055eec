"""The web pages and the API give the same facts for the same case, because both read the
same selector: queue membership, confidentiality limits, the crisis flag, the contact detail."""

import pytest
from django.urls import reverse

from programs.models import HelpResource
from programs.services import cases
from tests.api.conftest import client_for, profile_of
from tests.factories import submit_request
from tests.programs.test_intake_flow import look_up, reply, text

pytestmark = pytest.mark.django_db

LIMITS = "I must act if you tell me someone is in danger: limits-canary."
CONTACT = "+1 555 0199 contact-canary"
CRISIS_REPLY = "I am thinking about suicide tonight."


@pytest.fixture
def offered(program, supporter):
    submission = submit_request(program, message="Offered and waiting.")
    case = submission.case
    cases.case_offer(case=case, supporter=profile_of(supporter, program), actor=None)
    case.receipt_code = submission.receipt_code
    return case


@pytest.fixture
def accepted(program, supporter):
    submission = submit_request(
        program, message="Please phone me.", channel="phone", contact_detail=CONTACT
    )
    case = submission.case
    cases.case_offer(case=case, supporter=profile_of(supporter, program), actor=None)
    cases.case_accept(case=case, actor=supporter)
    case.receipt_code = submission.receipt_code
    return case


def test_the_queue_holds_the_same_requests_on_the_coordinator_page_and_in_the_api(
    client, program, coordinator, queued_case, offered, accepted
):
    client.force_login(coordinator)
    page = client.get(reverse("programs:coordinate", args=[program.slug]))
    on_page = {case.pk for case in page.context["queue"]}
    api = client_for(coordinator).get(f"/api/v1/programs/{program.slug}/queue/")
    in_api = {item["id"] for item in api.json()}
    assert on_page == {queued_case.pk, offered.pk}
    assert {str(pk) for pk in on_page} == in_api


def test_the_caseload_holds_the_same_cases_on_the_page_and_in_the_api(
    client, supporter, offered, accepted, queued_case
):
    client.force_login(supporter)
    page = text(client.get(reverse("programs:caseload")))
    api = client_for(supporter).get("/api/v1/caseload/").json()
    assert {item["id"] for item in api} == {str(offered.pk), str(accepted.pk)}
    for case in (offered, accepted):
        assert reverse("programs:caseload_case", args=[case.pk]) in page
    assert reverse("programs:caseload_case", args=[queued_case.pk]) not in page


def test_an_offered_supporters_limits_reach_the_requester_on_the_page_and_through_the_api(
    client, program, supporter, offered
):
    profile = profile_of(supporter, program)
    profile.confidentiality_limits = LIMITS
    profile.save()
    page = text(look_up(client, program, offered.receipt_code))
    api = client_for(None).post("/api/v1/requests/lookup/", {"receipt_code": offered.receipt_code})
    assert LIMITS in page
    assert api.json()["supporter"]["confidentiality_limits"] == LIMITS
    # Their name waits until they accept, in both.
    assert api.json()["supporter"]["display_name"] is None
    assert f"{profile.display_name}, a peer supporter" not in page


def test_a_reply_with_crisis_wording_brings_the_crisis_lines_on_the_page_and_through_the_api(
    client, program, accepted, generous_limits
):
    crisis_lines = [
        r.name for r in program.help_resource_list() if r.kind == HelpResource.Kind.CRISIS
    ]
    assert crisis_lines
    page = text(reply(client, program, accepted.receipt_code, CRISIS_REPLY))
    api = client_for(None).post(
        "/api/v1/requests/messages/",
        {"receipt_code": accepted.receipt_code, "body": CRISIS_REPLY},
    )
    assert "If you are not safe right now" in page
    assert all(name in page for name in crisis_lines)
    assert api.status_code == 201
    assert api.json()["crisis"] is True
    assert [line["name"] for line in api.json()["crisis_lines"]] == crisis_lines


def test_an_ordinary_reply_brings_no_crisis_lines_on_the_page_or_through_the_api(
    client, program, accepted, generous_limits
):
    page = text(reply(client, program, accepted.receipt_code, "Thanks, talk tomorrow."))
    api = client_for(None).post(
        "/api/v1/requests/messages/",
        {"receipt_code": accepted.receipt_code, "body": "Thanks again."},
    )
    assert "If you are not safe right now" not in page
    assert api.json()["crisis"] is False
    assert api.json()["crisis_lines"] == []


@pytest.mark.parametrize("who", ["supporter", "coordinator"])
def test_the_contact_detail_shows_to_the_same_people_on_the_page_and_in_the_api(
    client, program, accepted, who, request
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    url = (
        reverse("programs:caseload_case", args=[accepted.pk])
        if who == "supporter"
        else reverse("programs:coordinate_request", args=[program.slug, accepted.pk])
    )
    page = text(client.get(url))
    api = client_for(user).get(f"/api/v1/cases/{accepted.pk}/").json()
    shown = who == "supporter"
    assert (CONTACT in page) is shown
    assert (api["contact_detail"] == CONTACT) is shown


def test_an_offered_supporter_sees_no_contact_detail_on_the_page_or_in_the_api(
    client, program, supporter
):
    case = submit_request(program, message="Call me.", channel="phone", contact_detail=CONTACT).case
    cases.case_offer(case=case, supporter=profile_of(supporter, program), actor=None)
    client.force_login(supporter)
    page = text(client.get(reverse("programs:caseload_case", args=[case.pk])))
    api = client_for(supporter).get(f"/api/v1/cases/{case.pk}/").json()
    assert CONTACT not in page
    assert api["contact_detail"] == ""
