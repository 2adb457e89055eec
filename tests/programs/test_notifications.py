"""Emails to staff: sent through background tasks, to the right people, with no case content."""

import json

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from programs.models import Case, Program, SupporterProfile, Topic
from programs.services import cases, intake
from programs.services.cases import route_case
from tests.factories import make_active_supporter, make_member

pytestmark = pytest.mark.django_db

TEXT = "Marker-text: the night of the warehouse fire"
ALIAS = "Marker-alias-Robin"
CONTACT = "marker-contact@home.example"
NOTE = "Marker-note: talked about sleep"
REPLY = "Marker-reply: I am still struggling"


def _submit(program, callbacks, **fields):
    with callbacks(execute=True):
        submission = intake.case_submit(
            program=program,
            message=fields.pop("message", TEXT),
            alias=ALIAS,
            channel="phone",
            contact_detail=CONTACT,
            **fields,
        )
    return Case.objects.get(pk=submission.case.pk), submission.receipt_code


def _everything_sent() -> str:
    return "\n".join(f"{m.subject}\n{m.body}\n{m.to}" for m in mail.outbox)


def test_a_new_request_tells_the_programs_coordinators_only(
    program,
    coordinator,
    supporter,
    admin,
    other_program_coordinator,
    django_capture_on_commit_callbacks,
):
    _submit(program, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert mail.outbox[0].subject == "A new request in City Fire"
    assert "/coordinate/city-fire/" in mail.outbox[0].body


def test_an_urgent_request_says_so_in_the_subject(
    program, coordinator, supporter, django_capture_on_commit_callbacks
):
    _submit(program, django_capture_on_commit_callbacks, message="I want to end my life")
    assert mail.outbox[0].subject == "Urgent: a new request in City Fire"
    assert "flagged urgent" in mail.outbox[0].body


def test_a_request_nobody_can_take_says_so(
    program, coordinator, django_capture_on_commit_callbacks
):
    _submit(program, django_capture_on_commit_callbacks)
    assert "No supporter is eligible for it right now" in mail.outbox[0].body


def test_an_offer_tells_the_supporter_to_open_their_caseload(
    program, coordinator, supporter, django_capture_on_commit_callbacks
):
    Program.objects.filter(pk=program.pk).update(auto_assign=True)
    _submit(program, django_capture_on_commit_callbacks)
    to_supporter = [m for m in mail.outbox if m.to == ["supporter@example.org"]]
    assert len(to_supporter) == 1
    assert to_supporter[0].subject == "You have a new request in City Fire"
    assert "/caseload/" in to_supporter[0].body
    coordinator_mail = next(m for m in mail.outbox if m.to == ["coordinator@example.org"])
    assert "offered to the best-matched supporter" in coordinator_mail.body


def test_a_requester_reply_tells_the_assigned_supporter_only(
    program, coordinator, supporter, other_supporter, django_capture_on_commit_callbacks
):
    request, _code = _submit(program, django_capture_on_commit_callbacks)
    cases.case_offer(
        case=request, supporter=SupporterProfile.objects.get(user=supporter), actor=coordinator
    )
    cases.case_accept(case=request, actor=supporter)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        intake.requester_reply(case=request, body=REPLY)
    assert [m.to for m in mail.outbox] == [["supporter@example.org"]]
    assert mail.outbox[0].subject == "A new message in City Fire"


def test_a_reply_on_an_unassigned_request_tells_the_coordinators(
    program, coordinator, django_capture_on_commit_callbacks
):
    request, _code = _submit(program, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        intake.requester_reply(case=request, body=REPLY)
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert "/coordinate/city-fire/" in mail.outbox[0].body


def test_switched_off_accounts_get_no_email(
    program, coordinator, django_capture_on_commit_callbacks
):
    second = make_member(program, "coordinator", email="second@example.org")
    second.is_active = False
    second.save()
    _submit(program, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]


def test_emails_are_sent_by_a_background_task_whose_arguments_hold_no_content(
    program, coordinator, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        _submit(program, django_capture_on_commit_callbacks)
        assert mail.outbox == []  # nothing sent while the request was being handled
        # The request only queued its routing; routing queues the email.
        assert [r.task.name for r in default_task_backend.results] == ["route_case"]
        with django_capture_on_commit_callbacks(execute=True):
            route_case.call(**default_task_backend.results[0].kwargs)
        results = list(default_task_backend.results)
        assert [r.task.name for r in results] == ["route_case", "send_staff_email"]
        stored = json.dumps([r.kwargs for r in results])
        assert results[1].kwargs["template"] == "request_arrived"
        for secret in (TEXT, ALIAS, CONTACT):
            assert secret not in stored
        default_task_backend.clear()


def test_no_email_ever_holds_request_text_name_contact_note_or_case_id(
    program, coordinator, supporter, django_capture_on_commit_callbacks
):
    """The whole life of a case, with every notification it can cause."""
    call = django_capture_on_commit_callbacks
    profile = SupporterProfile.objects.get(user=supporter)
    request, _code = _submit(
        program, call, topics=[Topic.objects.get(slug="trauma")], wants_shared_experience=True
    )
    with call(execute=True):
        cases.case_offer(case=request, supporter=profile, actor=coordinator)
    with call(execute=True):
        cases.case_decline(case=request, actor=supporter, reason="other")
    request.refresh_from_db()
    with call(execute=True):
        cases.case_offer(
            case=request,
            supporter=make_active_supporter(program, email="second@example.org"),
            actor=coordinator,
        )
    second = request.assigned_to.user
    cases.case_accept(case=request, actor=second)
    with call(execute=True):
        cases.staff_reply(case=request, actor=second, body="Hello from your supporter")
        intake.requester_reply(case=request, body=REPLY)
        cases.note_add(
            case=request,
            actor=second,
            contact_date=timezone.localdate(),
            contact_type="phone",
            text=NOTE,
        )
        cases.referral_record(case=request, actor=second, kind="eap")
        cases.handover_ask(case=request, actor=second)
    with call(execute=True):
        from programs.services import roster

        roster.supporter_pause_self(supporter=profile, actor=supporter, paused=True, reason=NOTE)
        roster.supporter_debrief_request(supporter=profile, actor=supporter)
    with call(execute=True):
        cases.case_close(
            case=request, actor=second, outcome="referred", closing_message="Take care."
        )

    sent = _everything_sent()
    templates_seen = {m.subject for m in mail.outbox}
    assert len(templates_seen) >= 7, templates_seen
    for secret in (TEXT, ALIAS, CONTACT, NOTE, REPLY, "Hello from your supporter", "Trauma"):
        assert secret not in sent
    assert str(request.pk) not in sent and str(request.pk)[:8] not in sent
    assert request.receipt_hash not in sent


def test_a_reply_that_sounds_unsafe_marks_the_supporters_email_urgent(
    program, coordinator, supporter, django_capture_on_commit_callbacks
):
    request, _code = _submit(program, django_capture_on_commit_callbacks, message="hello")
    cases.case_offer(
        case=request, supporter=SupporterProfile.objects.get(user=supporter), actor=coordinator
    )
    cases.case_accept(case=request, actor=supporter)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        intake.requester_reply(case=request, body="I am thinking about suicide")
    assert [m.to for m in mail.outbox] == [["supporter@example.org"]]
    assert mail.outbox[0].subject == "Urgent: a new message in City Fire"
    assert "suicide" not in mail.outbox[0].body
