"""The coordinator view: queue, assignment, reassignment, roster at a glance, wellbeing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programs import selectors
from programs.models import (
    Case,
    CaseAccess,
    CaseEvent,
    Message,
    SupporterProfile,
    Unit,
)
from programs.services import cases, intake
from tests.factories import make_active_supporter
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db

Status = Case.Status
REFUSED = [
    "admin",
    "supporter",
    "other_supporter",
    "other_program_admin",
    "other_program_coordinator",
    "outsider",
]


def _with_text(program, text, **fields):
    case = make_request(program, **fields)
    Message.objects.create(
        case=case, sender=Message.Sender.REQUESTER, body=text, created_at=case.created_at
    )
    return case


def _coordinate(slug="city-fire"):
    return reverse("programs:coordinate", args=[slug])


def _request_url(case, action=None, slug="city-fire"):
    name = "programs:coordinate_request" if action is None else f"programs:coordinate_{action}"
    return reverse(name, args=[slug, case.pk])


@pytest.fixture
def profile(supporter):
    return SupporterProfile.objects.get(user=supporter)


@pytest.fixture
def other_profile(other_supporter):
    return SupporterProfile.objects.get(user=other_supporter)


def test_urgent_then_unassigned_requests_come_first_with_their_text(
    client, program, coordinator, profile, other_profile
):
    old = _with_text(program, "routine and old", created_at=timezone.now() - timedelta(days=3))
    urgent = _with_text(program, "I am not safe tonight", crisis_flag=True, urgency="urgent")
    offered = _with_text(program, "already offered")
    cases.case_offer(case=offered, supporter=other_profile, actor=coordinator)
    assigned = _with_text(program, "accepted and in hand")
    cases.case_offer(case=assigned, supporter=profile, actor=coordinator)
    cases.case_accept(case=assigned, actor=profile.user)

    client.force_login(coordinator)
    html = client.get(_coordinate()).content.decode()

    queue = html[html.index('id="queue-heading"') : html.index('id="handover-heading"')]
    assert queue.index("I am not safe tonight") < queue.index("routine and old")
    assert queue.index("routine and old") < queue.index("already offered")
    assert "Urgent: may not be safe" in queue
    assert "accepted and in hand" not in html
    assert str(assigned.pk)[:8] in html[html.index('id="cases-heading"') :]
    viewed = set(
        CaseAccess.objects.filter(actor=coordinator, action="view").values_list(
            "case_id", flat=True
        )
    )
    assert viewed == {old.pk, urgent.pk, offered.pk}


def test_each_waiting_request_shows_ranked_candidates_and_why(
    client, program, coordinator, profile, other_profile
):
    _with_text(program, "after the fire", topics=["trauma"])
    client.force_login(coordinator)
    html = client.get(_coordinate()).content.decode()
    best = html.index("<strong>supporter</strong>: shares lived experience of 1 topic (+10)")
    second = html.index("<strong>other-supporter</strong>: 0 of 5 cases in use")
    assert best < second
    assert "Best matches (2 eligible)" in html


def test_a_request_nobody_can_take_says_so(client, program, coordinator, profile, other_profile):
    for p in (profile, other_profile):
        p.status = "paused"
        p.save()
    _with_text(program, "anyone there?", no_match=True)
    client.force_login(coordinator)
    html = client.get(_coordinate()).content.decode()
    assert "Nobody is eligible right now." in html
    assert "Nobody eligible" in html


def test_the_queue_is_paged_for_long_queues(client, program, coordinator):
    for n in range(23):
        _with_text(program, f"request number {n}")
    client.force_login(coordinator)
    first = client.get(_coordinate()).content.decode()
    second = client.get(_coordinate() + "?page=2").content.decode()
    assert "23 waiting for a supporter" in first
    assert first.count('class="panel') == 20
    assert "Page 1 of 2" in first and "request number 22" in second
    assert CaseAccess.objects.filter(action="view").count() == 23


@pytest.mark.parametrize("who", REFUSED)
def test_the_coordinator_view_is_404_for_everyone_else(client, request, program, who):
    case = _with_text(program, "private words")
    client.force_login(request.getfixturevalue(who))
    assert client.get(_coordinate()).status_code == 404
    assert client.get(_request_url(case)).status_code == 404
    assert not CaseAccess.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, program):
    case = _with_text(program, "private words")
    for url in (_coordinate(), _request_url(case)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(_request_url(case, "assign"), {"supporter": 1}).status_code == 302


def test_an_unknown_program_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(_coordinate("no-such-program")).status_code == 404


def test_another_programs_case_cannot_be_reached_through_my_program(
    client, program, other_program, coordinator
):
    theirs = _with_text(other_program, "their words")
    client.force_login(coordinator)
    assert client.get(_request_url(theirs)).status_code == 404
    assert client.get(_request_url(theirs, slug="river-hospital")).status_code == 404


def test_the_request_page_shows_text_candidates_and_who_is_not_eligible_and_why(
    client, program, coordinator, profile, other_profile
):
    unit = Unit.objects.create(program=program, name="Station 9")
    other_profile.unit = unit
    other_profile.save()
    case = _with_text(
        program, "I need someone not from my station", excluded_unit=unit, contact_detail="x@y.z"
    )
    client.force_login(coordinator)
    html = client.get(_request_url(case)).content.decode()
    assert "I need someone not from my station" in html
    assert "x@y.z" not in html  # the contact detail is for the assigned supporter only
    assert f'id="candidate-{profile.pk}"' in html
    assert "other-supporter</strong>: is in the unit the requester excluded" in html
    assert CaseAccess.objects.filter(actor=coordinator, action="view", case_id=case.pk).exists()


def test_assigning_from_the_queue_offers_the_request_and_tells_the_supporter(
    client, program, coordinator, profile, django_capture_on_commit_callbacks
):
    case = _with_text(program, "please")
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _request_url(case, "assign"), {"supporter": profile.pk, "return_to": "queue"}
        )
    assert response["Location"] == _coordinate()
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (Status.OFFERED, profile)
    assert [m.to for m in mail.outbox] == [["supporter@example.org"]]
    assert "Open your caseload" in mail.outbox[0].body
    assert CaseAccess.objects.filter(action="assign", actor=coordinator).count() == 1


def test_reassigning_removes_the_old_supporters_access_at_once(
    client, program, coordinator, supporter, profile, other_profile
):
    case = _with_text(program, "please")
    cases.case_offer(case=case, supporter=profile, actor=coordinator)
    cases.case_accept(case=case, actor=supporter)
    client.force_login(supporter)
    assert client.get(reverse("programs:caseload_case", args=[case.pk])).status_code == 200

    client.force_login(coordinator)
    response = client.post(_request_url(case, "assign"), {"supporter": other_profile.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (Status.OFFERED, other_profile)

    client.force_login(supporter)
    assert client.get(reverse("programs:caseload_case", args=[case.pk])).status_code == 404
    reply = client.post(reverse("programs:caseload_reply", args=[case.pk]), {"reply-body": "hi"})
    assert reply.status_code == 404


def test_assigning_a_supporter_from_the_excluded_unit_is_refused_with_the_reason(
    client, program, coordinator, profile
):
    unit = Unit.objects.create(program=program, name="Station 9")
    profile.unit = unit
    profile.save()
    case = _with_text(program, "not my station", excluded_unit=unit)
    client.force_login(coordinator)
    response = client.post(_request_url(case, "assign"), {"supporter": profile.pk})
    assert response.status_code == 400
    assert "the requester&#x27;s exclusions" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (Status.QUEUED, None)


def test_assigning_a_supporter_of_another_program_is_refused(
    client, program, other_program, coordinator
):
    stranger = make_active_supporter(other_program, email="stranger@example.org")
    case = _with_text(program, "please")
    client.force_login(coordinator)
    response = client.post(_request_url(case, "assign"), {"supporter": stranger.pk})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assigned_to is None


@pytest.mark.parametrize("who", REFUSED)
def test_nobody_else_can_assign_reply_or_close_debriefs(client, request, program, profile, who):
    case = _with_text(program, "please")
    profile.debrief_requested_at = timezone.now()
    profile.save()
    client.force_login(request.getfixturevalue(who))
    assert client.post(_request_url(case, "assign"), {"supporter": profile.pk}).status_code == 404
    assert client.post(_request_url(case, "reply"), {"reply-body": "hi"}).status_code == 404
    done = reverse("programs:coordinate_debrief_done", args=[program.slug, profile.pk])
    assert client.post(done).status_code == 404
    case.refresh_from_db()
    profile.refresh_from_db()
    assert case.assigned_to is None and case.messages.count() == 1
    assert profile.debrief_requested_at is not None


def test_a_coordinator_can_reply_and_the_requester_reads_it(client, program, coordinator):
    submission = intake.case_submit(program=program, message="anyone?")
    client.force_login(coordinator)
    url = _request_url(submission.case, "reply")
    assert client.post(url, {"reply-body": "We are finding someone for you."}).status_code == 302
    found = intake.case_lookup(receipt_code=submission.receipt_code)
    bodies = [(m.sender, m.body) for m in selectors.requester_conversation(case=found)]
    assert bodies == [
        ("requester", "anyone?"),
        ("coordinator", "We are finding someone for you."),
    ]


def test_an_empty_coordinator_reply_is_refused(client, program, coordinator):
    case = _with_text(program, "please")
    client.force_login(coordinator)
    assert client.post(_request_url(case, "reply"), {"reply-body": ""}).status_code == 400
    assert case.messages.count() == 1


def test_supporters_load_and_training_are_shown_at_a_glance(
    client, program, coordinator, profile, other_profile
):
    case = _with_text(program, "please")
    cases.case_offer(case=case, supporter=profile, actor=coordinator)
    other_profile.completions.filter(requirement__name="Suicide intervention").update(
        expires_on=timezone.localdate() - timedelta(days=3)
    )
    client.force_login(coordinator)
    html = client.get(_coordinate()).content.decode()
    roster = html[html.index('id="supporters-heading"') :]
    supporter_row = roster[roster.index(">supporter<") :].split("</tr>")[0]
    other_row = roster[roster.index(">other-supporter<") :].split("</tr>")[0]
    assert "1 / 5" in supporter_row and "Up to date" in supporter_row
    assert "Not matched:" in other_row and "Suicide intervention (expired" in other_row


def test_paused_supporters_and_debrief_requests_are_shown_and_a_debrief_can_be_closed(
    client, program, coordinator, profile, other_profile
):
    other_profile.status = "paused"
    other_profile.pause_reason = "family matters"
    other_profile.save()
    profile.debrief_requested_at = timezone.now()
    profile.save()
    client.force_login(coordinator)
    html = client.get(_coordinate()).content.decode()
    wellbeing = html[html.index('id="wellbeing-heading"') : html.index('id="cases-heading"')]
    assert "other-supporter</strong>: family matters" in wellbeing
    assert "Debrief with supporter done" in wellbeing

    done = reverse("programs:coordinate_debrief_done", args=[program.slug, profile.pk])
    assert client.post(done).status_code == 302
    profile.refresh_from_db()
    assert profile.debrief_requested_at is None


def test_debrief_done_for_another_programs_supporter_is_404(
    client, program, other_program, coordinator
):
    stranger = make_active_supporter(other_program, email="stranger@example.org")
    stranger.debrief_requested_at = timezone.now()
    stranger.save()
    client.force_login(coordinator)
    done = reverse("programs:coordinate_debrief_done", args=[program.slug, stranger.pk])
    assert client.post(done).status_code == 404
    stranger.refresh_from_db()
    assert stranger.debrief_requested_at is not None


def test_a_handover_request_is_listed_until_the_case_is_reassigned(
    client, program, coordinator, supporter, profile, other_profile
):
    case = _with_text(program, "please")
    cases.case_offer(case=case, supporter=profile, actor=coordinator)
    cases.case_accept(case=case, actor=supporter)
    cases.handover_ask(case=case, actor=supporter)
    client.force_login(coordinator)
    html = client.get(_coordinate()).content.decode()
    handovers = html[html.index('id="handover-heading"') : html.index('id="wellbeing-heading"')]
    assert "supporter asks for a handover" in handovers
    assert (
        "has asked for this case to be handed over"
        in client.get(_request_url(case)).content.decode()
    )

    client.post(_request_url(case, "assign"), {"supporter": other_profile.pk})
    html = client.get(_coordinate()).content.decode()
    handovers = html[html.index('id="handover-heading"') : html.index('id="wellbeing-heading"')]
    assert "asks for a handover" not in handovers
    assert CaseEvent.objects.filter(case=case, kind="handover").count() == 1
