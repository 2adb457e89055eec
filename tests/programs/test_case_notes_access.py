"""Notes are for the supporter who accepted the case and the coordinators, not an offer."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import ContactType, SupporterProfile
from programs.services import cases
from tests.api.conftest import client_for
from tests.factories import submit_request

pytestmark = pytest.mark.django_db
NOTE = "Talked about the night of the fire; follow up on Friday."


@pytest.fixture
def handed_over(program, supporter, other_supporter, coordinator):
    """Accepted and noted by one supporter, then offered to another, who has not accepted."""
    case = submit_request(program, message="Since the fire I cannot sleep.").case
    first = SupporterProfile.objects.get(user=supporter, program=program)
    second = SupporterProfile.objects.get(user=other_supporter, program=program)
    cases.case_offer(case=case, supporter=first, actor=None)
    cases.case_accept(case=case, actor=supporter)
    cases.note_add(
        case=case,
        actor=supporter,
        contact_date=timezone.localdate(),
        contact_type=ContactType.MESSAGE,
        text=NOTE,
    )
    cases.case_offer(case=case, supporter=second, actor=coordinator)
    case.refresh_from_db()
    return case


def test_an_offered_supporter_does_not_read_the_notes_on_the_case_page(
    client, handed_over, other_supporter
):
    client.force_login(other_supporter)
    page = client.get(reverse("programs:caseload_case", args=[handed_over.pk]))
    assert page.status_code == 200
    assert NOTE not in page.content.decode()


def test_an_offered_supporter_does_not_read_the_notes_through_the_api(handed_over, other_supporter):
    body = client_for(other_supporter).get(f"/api/v1/cases/{handed_over.pk}/").json()
    assert body["notes"] == []
    assert NOTE not in str(body)


def test_the_coordinator_reads_the_notes_on_the_web_and_the_api(client, handed_over, coordinator):
    body = client_for(coordinator).get(f"/api/v1/cases/{handed_over.pk}/").json()
    assert [n["text"] for n in body["notes"]] == [NOTE]
    client.force_login(coordinator)
    page = client.get(
        reverse("programs:coordinate_request", args=[handed_over.program.slug, handed_over.pk])
    )
    assert NOTE in page.content.decode()


def test_once_accepted_the_supporter_reads_the_notes(client, handed_over, other_supporter):
    cases.case_accept(case=handed_over, actor=other_supporter)
    body = client_for(other_supporter).get(f"/api/v1/cases/{handed_over.pk}/").json()
    assert [n["text"] for n in body["notes"]] == [NOTE]
    client.force_login(other_supporter)
    page = client.get(reverse("programs:caseload_case", args=[handed_over.pk]))
    assert NOTE in page.content.decode()
