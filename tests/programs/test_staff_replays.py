"""A staff form posted twice with the same form token writes once."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import CaseNote, Message, Referral, SupporterProfile
from programs.services import cases
from tests.factories import submit_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted_case(program, supporter):
    case = submit_request(program, message="Could someone call me back?").case
    profile = SupporterProfile.objects.get(user=supporter, program=program)
    cases.case_offer(case=case, supporter=profile, actor=None)
    cases.case_accept(case=case, actor=supporter)
    return case


def tokens_on(page) -> dict[str, str]:
    html = page.content.decode()
    found = re.findall(
        r'action="[^"]*/(reply|note|refer)/"[^>]*>.*?name="form_token" value="([^"]+)"',
        html,
        flags=re.S,
    )
    return dict(found)


def staff_messages(case):
    return Message.objects.filter(case=case).exclude(sender=Message.Sender.REQUESTER)


def test_a_supporters_reply_posted_twice_is_sent_once(client, accepted_case, supporter):
    client.force_login(supporter)
    page = client.get(reverse("programs:caseload_case", args=[accepted_case.pk]))
    token = tokens_on(page)["reply"]
    url = reverse("programs:caseload_reply", args=[accepted_case.pk])
    data = {"reply-body": "I'm here; when suits you?", "form_token": token}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data, follow=True)
    assert staff_messages(accepted_case).count() == 1
    assert "not sent twice" in unescape(second.content.decode())


def test_a_note_and_a_referral_posted_twice_are_kept_once(client, accepted_case, supporter):
    client.force_login(supporter)
    tokens = tokens_on(client.get(reverse("programs:caseload_case", args=[accepted_case.pk])))
    note = {
        "note-contact_date": timezone.localdate().isoformat(),
        "note-contact_type": "phone",
        "note-text": "called back",
        "form_token": tokens["note"],
    }
    refer = {"refer-kind": "eap", "form_token": tokens["refer"]}
    for _twice in range(2):
        client.post(reverse("programs:caseload_note", args=[accepted_case.pk]), note)
        client.post(reverse("programs:caseload_refer", args=[accepted_case.pk]), refer)
    assert CaseNote.objects.filter(case=accepted_case).count() == 1
    assert Referral.objects.filter(case=accepted_case).count() == 1


def test_a_coordinators_reply_posted_twice_is_sent_once(client, program, coordinator):
    case = submit_request(program, message="Anyone there?").case
    client.force_login(coordinator)
    page = client.get(reverse("programs:coordinate_request", args=[program.slug, case.pk]))
    token = tokens_on(page)["reply"]
    url = reverse("programs:coordinate_reply", args=[program.slug, case.pk])
    data = {"reply-body": "We are finding someone for you.", "form_token": token}
    client.post(url, data)
    client.post(url, data)
    assert staff_messages(case).count() == 1


def test_a_refused_reply_can_be_sent_again_with_the_same_page(client, accepted_case, supporter):
    client.force_login(supporter)
    page = client.get(reverse("programs:caseload_case", args=[accepted_case.pk]))
    token = tokens_on(page)["reply"]
    url = reverse("programs:caseload_reply", args=[accepted_case.pk])
    assert client.post(url, {"reply-body": "   ", "form_token": token}).status_code == 400
    assert client.post(url, {"reply-body": "Hello", "form_token": token}).status_code == 302
    assert staff_messages(accepted_case).count() == 1


def test_two_different_pages_send_two_replies(client, accepted_case, supporter):
    client.force_login(supporter)
    url = reverse("programs:caseload_reply", args=[accepted_case.pk])
    for body in ("First", "Second"):
        page = client.get(reverse("programs:caseload_case", args=[accepted_case.pk]))
        client.post(url, {"reply-body": body, "form_token": tokens_on(page)["reply"]})
    assert staff_messages(accepted_case).count() == 2


def test_a_token_from_another_case_is_not_accepted(client, program, accepted_case, supporter):
    client.force_login(supporter)
    page = client.get(reverse("programs:caseload_case", args=[accepted_case.pk]))
    other = submit_request(program, message="Another one").case
    profile = SupporterProfile.objects.get(user=supporter, program=program)
    cases.case_offer(case=other, supporter=profile, actor=None)
    cases.case_accept(case=other, actor=supporter)
    response = client.post(
        reverse("programs:caseload_reply", args=[other.pk]),
        {"reply-body": "Hello", "form_token": tokens_on(page)["reply"]},
    )
    assert response.status_code == 400
    assert staff_messages(other).count() == 0
