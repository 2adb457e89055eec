"""Who holds a case as it moves: offers, unassigned cases, supporters who pause or leave."""

import pytest
from django.core.exceptions import ValidationError

from programs.models import (
    Case,
    Membership,
    Role,
    SupporterProfile,
    SupporterStatusChange,
)
from programs.services import cases, members, roster
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db
Status = Case.Status


def _profile(user, program):
    return SupporterProfile.objects.get(user=user, program=program)


def _offered(program, coordinator, supporter, **fields):
    case = make_request(program, contact_detail="+1 555 0100", channel="phone", **fields)
    cases.case_offer(case=case, supporter=_profile(supporter, program), actor=coordinator)
    return case


def test_a_coordinator_cannot_move_an_unassigned_request_along(program, coordinator):
    case = make_request(program)
    with pytest.raises(ValidationError):
        cases.case_status_set(case=case, actor=coordinator, status=Status.ACTIVE)
    with pytest.raises(ValidationError):
        cases.referral_record(case=case, actor=coordinator, kind="eap")
    case.refresh_from_db()
    assert case.status == Status.QUEUED


def test_the_api_answers_a_clear_error_not_a_server_error_for_it(client, program, coordinator):
    case = make_request(program)
    client.force_login(coordinator)
    response = client.patch(
        f"/api/v1/cases/{case.pk}/", {"status": "active"}, content_type="application/json"
    )
    assert response.status_code in (400, 409)
    assert response.json()["error"]["message"]


def test_an_offered_supporter_does_not_see_the_contact_detail_until_accepting(
    client, program, coordinator, supporter
):
    case = _offered(program, coordinator, supporter)
    client.force_login(supporter)
    page = client.get(f"/caseload/cases/{case.pk}/").content.decode()
    api = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert "+1 555 0100" not in page and api["contact_detail"] == ""
    cases.case_accept(case=case, actor=supporter)
    page = client.get(f"/caseload/cases/{case.pk}/").content.decode()
    api = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert "+1 555 0100" in page and api["contact_detail"] == "+1 555 0100"


def test_coordinators_do_not_get_the_contact_detail_from_the_api(
    client, program, coordinator, supporter
):
    case = _offered(program, coordinator, supporter)
    cases.case_accept(case=case, actor=supporter)
    client.force_login(coordinator)
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["contact_detail"] == ""


def test_a_supporters_pause_note_stays_out_of_the_history_admins_see(program, supporter):
    profile = _profile(supporter, program)
    roster.supporter_pause_self(
        supporter=profile, actor=supporter, paused=True, reason="My dad is in hospital"
    )
    profile.refresh_from_db()
    assert profile.pause_reason == "My dad is in hospital"
    history = SupporterStatusChange.objects.filter(supporter=profile)
    assert history.exists()
    assert all("hospital" not in change.reason for change in history)


def test_removing_a_supporter_gives_their_open_cases_back_to_the_queue(
    program, admin, coordinator, supporter, django_capture_on_commit_callbacks
):
    case = _offered(program, coordinator, supporter)
    cases.case_accept(case=case, actor=supporter)
    membership = Membership.objects.get(program=program, user=supporter, role=Role.SUPPORTER)
    with django_capture_on_commit_callbacks(execute=True):
        members.membership_revoke(membership=membership)
    case.refresh_from_db()
    assert case.assigned_to is None and case.status == Status.QUEUED
    profile = _profile(supporter, program)
    assert profile.status == SupporterProfile.Status.RETIRED
    assert profile.status_changes.filter(to_status=SupporterProfile.Status.RETIRED).exists()


def test_retiring_a_supporter_from_the_roster_gives_their_cases_back_too(
    program, coordinator, supporter
):
    case = _offered(program, coordinator, supporter)
    profile = _profile(supporter, program)
    roster.supporter_status_set(
        supporter=profile, status=SupporterProfile.Status.RETIRED, actor=coordinator
    )
    case.refresh_from_db()
    assert case.assigned_to is None and case.status == Status.QUEUED
