"""The peer champion's caseload: their own cases, and nobody else's."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs import eligibility
from programs.models import (
    Case,
    CaseAccess,
    CaseNote,
    Message,
    Referral,
    SupporterProfile,
)
from programs.services import cases
from tests.factories import make_active_supporter
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db

Status = Case.Status
SECRET = "I have not slept since the crash on the bypass"


def _offered(program, coordinator, supporter, **fields):
    case = make_request(program, contact_detail="07700 900123", alias="Sam", **fields)
    Message.objects.create(
        case=case, sender=Message.Sender.REQUESTER, body=SECRET, created_at=case.created_at
    )
    cases.case_offer(
        case=case, supporter=SupporterProfile.objects.get(user=supporter), actor=coordinator
    )
    return case


@pytest.fixture
def offered_case(program, coordinator, supporter):
    return _offered(program, coordinator, supporter)


@pytest.fixture
def accepted_case(offered_case, supporter):
    cases.case_accept(case=offered_case, actor=supporter)
    return offered_case


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def _case_url(case, action=None):
    if action is None:
        return reverse("programs:caseload_case", args=[case.pk])
    return reverse(f"programs:caseload_{action}", args=[case.pk])


# The caseload page


def test_supporter_sees_own_cases_grouped_by_status(client, program, coordinator, supporter):
    SupporterProfile.objects.filter(user=supporter).update(max_active_cases=10)
    offered = _offered(program, coordinator, supporter)
    grouped = {}
    for status in (Status.NEW, Status.CONTACTED, Status.ACTIVE, Status.REFERRED):
        case = _offered(program, coordinator, supporter)
        cases.case_accept(case=case, actor=supporter)
        Case.objects.filter(pk=case.pk).update(status=status)
        grouped[status] = case
    closed = _offered(program, coordinator, supporter)
    cases.case_accept(case=closed, actor=supporter)
    cases.case_close(
        case=closed, actor=supporter, outcome="supported", closing_message="Take care."
    )

    html = _page(client, supporter, "/caseload/").content.decode()

    offered_at = html.index("Offered to you")
    assert html.index(str(offered.pk)[:8]) > offered_at
    positions = [html.index(f'id="status-{s}"') for s in grouped]
    assert positions == sorted(positions)
    for status, case in grouped.items():
        section = html[html.index(f'id="status-{status}"') :]
        assert str(case.pk)[:8] in section.split("</section>")[0]
    assert str(closed.pk)[:8] in html[html.index("Recently closed") :]
    assert "Supported; no further need" in html


def test_caseload_shows_nothing_of_what_was_written(client, accepted_case, supporter):
    html = _page(client, supporter, "/caseload/").content.decode()
    assert SECRET not in html and "Sam" not in html and "07700" not in html
    assert not CaseAccess.objects.filter(action=CaseAccess.Action.VIEW).exists()


def test_cases_waiting_for_my_reply_come_first(client, program, coordinator, supporter):
    waiting = _offered(program, coordinator, supporter)
    answered = _offered(program, coordinator, supporter)
    for case in (waiting, answered):
        cases.case_accept(case=case, actor=supporter)
    cases.staff_reply(case=answered, actor=supporter, body="Hello, I'm here.")

    html = _page(client, supporter, "/caseload/").content.decode()
    needs_reply = html[html.index("Needs your reply first") :].split("</section>")[0]
    assert str(waiting.pk)[:8] in needs_reply
    assert str(answered.pk)[:8] not in needs_reply
    assert "Waiting for your reply" in needs_reply


@pytest.mark.parametrize("days, label", [(10, None), (15, "14+"), (31, "30+")])
def test_cases_without_contact_for_14_or_30_days_are_flagged(
    client, accepted_case, supporter, days, label
):
    Case.objects.filter(pk=accepted_case.pk).update(
        last_contact_at=timezone.now() - timedelta(days=days)
    )
    html = _page(client, supporter, "/caseload/").content.decode()
    if label is None:
        assert "No contact in" not in html
    else:
        stale = html[html.index("No contact for a while") :].split("</section>")[0]
        assert f"No contact in {label} days" in stale
        assert str(accepted_case.pk)[:8] in stale


def test_a_case_never_contacted_counts_from_when_it_arrived(client, accepted_case, supporter):
    Case.objects.filter(pk=accepted_case.pk).update(created_at=timezone.now() - timedelta(days=20))
    html = _page(client, supporter, "/caseload/").content.decode()
    assert "No contact in 14+ days" in html


def test_caseload_says_when_and_why_no_new_requests_arrive(client, program, supporter):
    profile = SupporterProfile.objects.get(user=supporter)
    html = _page(client, supporter, "/caseload/").content.decode()
    assert "You can receive new requests in City Fire. 0 of 5 places in use." in html

    profile.status = SupporterProfile.Status.PAUSED
    profile.save()
    html = _page(client, supporter, "/caseload/").content.decode()
    assert "You are not receiving new requests in City Fire" in html
    assert "You have paused" in html


def test_another_supporters_cases_are_not_in_my_caseload(client, offered_case, other_supporter):
    html = _page(client, other_supporter, "/caseload/").content.decode()
    assert str(offered_case.pk)[:8] not in html


@pytest.mark.parametrize(
    "who",
    ["admin", "coordinator", "other_program_admin", "other_program_coordinator", "outsider"],
)
def test_people_without_a_caseload_get_404(client, request, program, who):
    user = request.getfixturevalue(who)
    for url in ("/caseload/", "/caseload/training/", "/caseload/wellbeing/"):
        assert _page(client, user, url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, offered_case):
    for url in (
        "/caseload/",
        "/caseload/training/",
        "/caseload/wellbeing/",
        _case_url(offered_case),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# The case page


def test_the_case_page_shows_the_conversation_and_logs_the_view(client, accepted_case, supporter):
    response = _page(client, supporter, _case_url(accepted_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET in html and "Sam" in html and "07700 900123" in html
    access = CaseAccess.objects.get(action=CaseAccess.Action.VIEW)
    assert (access.case_id, access.actor, access.program_id) == (
        accepted_case.pk,
        supporter,
        accepted_case.program_id,
    )
    assert {f.name for f in CaseAccess._meta.fields} == {
        "id",
        "case_id",
        "program",
        "actor",
        "action",
        "via",
        "at",
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_note_form_says_free_text_is_optional_and_discouraged(client, accepted_case, supporter):
    html = _page(client, supporter, _case_url(accepted_case)).content.decode()
    assert "Note (optional, best left empty)" in html
    assert "Prefer not to record" in html
    assert "Private to you and the program's coordinators." in html


def test_an_offered_supporter_can_read_the_request_but_not_reply_yet(
    client, offered_case, supporter
):
    html = _page(client, supporter, _case_url(offered_case)).content.decode()
    assert SECRET in html
    assert "Will you take this request?" in html
    assert _case_url(offered_case, "reply") not in html
    response = client.post(_case_url(offered_case, "reply"), {"reply-body": "Hi"})
    assert response.status_code == 403
    assert not offered_case.messages.filter(sender=Message.Sender.SUPPORTER).exists()


@pytest.mark.parametrize(
    "who",
    [
        "other_supporter",
        "admin",
        "coordinator",
        "other_program_admin",
        "other_program_coordinator",
        "outsider",
    ],
)
def test_nobody_but_the_assigned_supporter_can_open_or_act_on_a_case(
    client, request, accepted_case, who
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    logged = CaseAccess.objects.count()
    assert client.get(_case_url(accepted_case)).status_code == 404
    posts = {
        "accept": {},
        "decline": {"decline-reason": "other"},
        "reply": {"reply-body": "hello"},
        "note": {
            "note-contact_date": timezone.localdate().isoformat(),
            "note-contact_type": "phone",
        },
        "refer": {"refer-kind": "eap"},
        "handover": {},
        "close": {"close-outcome": "supported"},
        "status": {"status-status": "active"},
    }
    for action, data in posts.items():
        assert client.post(_case_url(accepted_case, action), data).status_code == 404, action
    accepted_case.refresh_from_db()
    assert accepted_case.status == Status.NEW
    assert accepted_case.messages.count() == 1
    assert not accepted_case.notes.exists() and not accepted_case.referrals.exists()
    assert CaseAccess.objects.count() == logged


def test_a_case_id_that_does_not_exist_is_404(client, supporter):
    client.force_login(supporter)
    assert client.get("/caseload/cases/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_supporter_whose_role_was_revoked_loses_their_cases(client, accepted_case, supporter):
    from programs.models import Membership
    from programs.services import members

    members.membership_revoke(membership=Membership.objects.get(user=supporter, role="supporter"))
    client.force_login(supporter)
    assert client.get(_case_url(accepted_case)).status_code == 404


# Actions


def test_accepting_an_offer_makes_it_a_new_case(client, offered_case, supporter):
    client.force_login(supporter)
    response = client.post(_case_url(offered_case, "accept"))
    assert response.status_code == 302
    offered_case.refresh_from_db()
    assert offered_case.status == Status.NEW
    html = client.get(response["Location"]).content.decode()
    assert "You have accepted this request." in html


def test_declining_returns_the_request_and_the_case_leaves_my_caseload(
    client, offered_case, supporter, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(supporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_case_url(offered_case, "decline"), {"decline-reason": "conflict"})
    assert response["Location"] == "/caseload/"
    offered_case.refresh_from_db()
    assert (offered_case.status, offered_case.assigned_to) == (Status.QUEUED, None)
    assert client.get(_case_url(offered_case)).status_code == 404


def test_declining_without_a_reason_is_refused_and_changes_nothing(client, offered_case, supporter):
    client.force_login(supporter)
    response = client.post(_case_url(offered_case, "decline"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    offered_case.refresh_from_db()
    assert offered_case.status == Status.OFFERED


def test_replying_adds_to_the_conversation_and_marks_contact(client, accepted_case, supporter):
    client.force_login(supporter)
    response = client.post(_case_url(accepted_case, "reply"), {"reply-body": "I'm listening."})
    assert response.status_code == 302
    accepted_case.refresh_from_db()
    assert accepted_case.status == Status.CONTACTED
    assert accepted_case.last_contact_at is not None
    assert accepted_case.messages.last().body == "I'm listening."
    assert CaseAccess.objects.filter(action=CaseAccess.Action.REPLY, actor=supporter).exists()


def test_an_empty_reply_is_refused_with_a_clear_error(client, accepted_case, supporter):
    client.force_login(supporter)
    response = client.post(_case_url(accepted_case, "reply"), {"reply-body": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert accepted_case.messages.count() == 1


def test_a_structured_note_can_leave_everything_undisclosed(client, accepted_case, supporter):
    client.force_login(supporter)
    response = client.post(
        _case_url(accepted_case, "note"),
        {
            "note-contact_date": timezone.localdate().isoformat(),
            "note-contact_type": "undisclosed",
        },
    )
    assert response.status_code == 302
    note = CaseNote.objects.get(case=accepted_case)
    assert (note.contact_type, note.text, note.referral_offered) == ("undisclosed", "", False)


def test_a_note_dated_in_the_future_is_refused_and_nothing_is_saved(
    client, accepted_case, supporter
):
    client.force_login(supporter)
    response = client.post(
        _case_url(accepted_case, "note"),
        {
            "note-contact_date": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "note-contact_type": "phone",
            "note-text": "called",
        },
    )
    assert response.status_code == 400
    assert "The contact date cannot be in the future." in response.content.decode()
    assert not CaseNote.objects.exists()
    accepted_case.refresh_from_db()
    assert accepted_case.status == Status.NEW


def test_a_referral_records_the_kind_of_help_only(client, accepted_case, supporter):
    client.force_login(supporter)
    response = client.post(_case_url(accepted_case, "refer"), {"refer-kind": "clinician"})
    assert response.status_code == 302
    referral = Referral.objects.get(case=accepted_case)
    assert referral.kind == "clinician"
    assert {f.name for f in Referral._meta.fields} == {
        "id",
        "case",
        "kind",
        "offered_by",
        "created_at",
    }
    accepted_case.refresh_from_db()
    assert accepted_case.status == Status.REFERRED


def test_asking_for_a_handover_tells_the_coordinators_once(
    client, accepted_case, supporter, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(supporter)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_case_url(accepted_case, "handover"))
        client.post(_case_url(accepted_case, "handover"))
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert eligibility.handover_pending(case=accepted_case)
    html = client.get(_case_url(accepted_case)).content.decode()
    assert "You have asked your coordinator to hand this case over." in html


def test_closing_needs_an_outcome_category(client, accepted_case, supporter):
    client.force_login(supporter)
    response = client.post(_case_url(accepted_case, "close"), {"close-outcome": "fixed"})
    assert response.status_code == 400
    accepted_case.refresh_from_db()
    assert accepted_case.status == Status.NEW

    response = client.post(
        _case_url(accepted_case, "close"),
        {"close-outcome": "no_response", "close-closing_message": "I'm here if you need me."},
    )
    assert response.status_code == 302
    accepted_case.refresh_from_db()
    assert (accepted_case.status, accepted_case.outcome) == (Status.CLOSED, "no_response")
    html = client.get(_case_url(accepted_case)).content.decode()
    assert _case_url(accepted_case, "reply") not in html


def test_moving_a_case_to_active(client, accepted_case, supporter):
    client.force_login(supporter)
    assert (
        client.post(_case_url(accepted_case, "status"), {"status-status": "active"}).status_code
        == 302
    )
    accepted_case.refresh_from_db()
    assert accepted_case.status == Status.ACTIVE
    response = client.post(_case_url(accepted_case, "status"), {"status-status": "closed"})
    assert response.status_code == 400


def test_case_actions_need_a_csrf_token(accepted_case, supporter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supporter)
    response = client.post(_case_url(accepted_case, "reply"), {"reply-body": "hello"})
    assert response.status_code == 403
    assert accepted_case.messages.count() == 1


def test_case_actions_accept_only_post(client, accepted_case, supporter):
    client.force_login(supporter)
    assert client.get(_case_url(accepted_case, "close")).status_code == 405


def test_viewing_and_working_a_case_logs_no_content(client, accepted_case, supporter, caplog):
    caplog.set_level("DEBUG")
    client.force_login(supporter)
    client.get(_case_url(accepted_case))
    client.post(_case_url(accepted_case, "reply"), {"reply-body": "Reply with a secret word"})
    client.post(
        _case_url(accepted_case, "note"),
        {
            "note-contact_date": timezone.localdate().isoformat(),
            "note-contact_type": "phone",
            "note-text": "private note words",
        },
    )
    for text in (SECRET, "Sam", "07700", "secret word", "private note words"):
        assert text not in caplog.text


# Wellbeing


def test_a_supporter_can_pause_and_resume_and_coordinators_hear_of_it(
    client, program, supporter, coordinator, django_capture_on_commit_callbacks
):
    profile = SupporterProfile.objects.get(user=supporter)
    client.force_login(supporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programs:caseload_pause", args=[profile.pk]), {"reason": "night shifts"}
        )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.status, profile.pause_reason) == ("paused", "night shifts")
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert "night shifts" not in mail.outbox[0].body
    assert not eligibility.candidates(case=make_request(program)).filter(pk=profile.pk).exists()
    assert "You have paused" in client.get("/caseload/").content.decode()

    client.post(reverse("programs:caseload_pause", args=[profile.pk]), {"resume": "1"})
    profile.refresh_from_db()
    assert profile.status == "active"


def test_asking_for_a_debrief_reaches_the_coordinators(
    client, supporter, coordinator, django_capture_on_commit_callbacks
):
    profile = SupporterProfile.objects.get(user=supporter)
    client.force_login(supporter)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programs:caseload_debrief", args=[profile.pk]))
    profile.refresh_from_db()
    assert profile.debrief_requested_at is not None
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert "You asked for a debrief" in client.get("/caseload/wellbeing/").content.decode()


@pytest.mark.parametrize(
    "who",
    [
        "other_supporter",
        "admin",
        "coordinator",
        "other_program_admin",
        "other_program_coordinator",
        "outsider",
    ],
)
def test_nobody_can_pause_or_debrief_someone_else(client, request, supporter, who):
    profile = SupporterProfile.objects.get(user=supporter)
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("programs:caseload_pause", args=[profile.pk])).status_code == 404
    assert client.post(reverse("programs:caseload_debrief", args=[profile.pk])).status_code == 404
    profile.refresh_from_db()
    assert profile.status == "active" and profile.debrief_requested_at is None


def test_anonymous_visitors_cannot_pause_anyone(client, supporter):
    profile = SupporterProfile.objects.get(user=supporter)
    response = client.post(reverse("programs:caseload_pause", args=[profile.pk]))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == "active"


def test_a_supporter_in_two_programs_sees_both(client, program, other_program, supporter):
    make_active_supporter(other_program, email="supporter@example.org")
    supporter.refresh_from_db()  # the helper set the password again
    response = _page(client, supporter, "/caseload/")
    assert response.status_code == 200, response
    html = response.content.decode()
    assert "in City Fire" in html and "in River Hospital" in html
