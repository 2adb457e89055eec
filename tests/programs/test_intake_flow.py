"""The requester's web pages: limits, form, receipt, status, reply, withdraw."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cms import pagecache
from privacy import formtokens
from programs.models import (
    Case,
    CaseEvent,
    HelpResource,
    Message,
    Program,
    Topic,
    Unit,
    Urgency,
)
from programs.services import cases
from programs.services.intake import MAX_MESSAGE_LENGTH

pytestmark = pytest.mark.django_db

CODE_PATTERN = re.compile(r"\b(?:[0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}\b")


# Helpers shared with the privacy tests.


def request_url(program):
    return reverse("programs:request", args=[program.slug])


def status_url(program):
    return reverse("programs:status", args=[program.slug])


def text(response) -> str:
    return unescape(response.content.decode())


def token_in(response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert match, "no form token on the page"
    return match.group(1)


def open_form(client, program, **extra) -> str:
    """Read the limits, acknowledge them, and return the request form's token."""
    response = client.post(request_url(program), {"step": "limits", "acknowledged": "on"}, **extra)
    assert response.status_code == 200
    return token_in(response)


def request_data(token, **fields) -> dict:
    data = {
        "step": "details",
        "form_token": token,
        "message": "Rough week after the call-out.",
        "urgency": "routine",
        "channel": "messages",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def send_request(client, program, extra=None, **fields):
    extra = extra or {}
    token = open_form(client, program, **extra)
    return client.post(request_url(program), request_data(token, **fields), **extra)


def code_in(response) -> str:
    match = CODE_PATTERN.search(response.content.decode())
    assert match, "no receipt code on the page"
    return match.group(0)


def new_request(client, program, **fields) -> tuple[str, Case]:
    response = send_request(client, program, **fields)
    assert response.status_code == 200, text(response)[:2000]
    return code_in(response), Case.objects.latest("created_at")


def look_up(client, program, code, extra=None, **fields):
    return client.post(
        status_url(program), {"receipt_code": code, "action": "lookup", **fields}, **(extra or {})
    )


def reply(client, program, code, body, token=None, extra=None):
    if token is None:
        token = token_in(look_up(client, program, code, extra=extra))
    return client.post(
        status_url(program),
        {"receipt_code": code, "action": "reply", "body": body, "form_token": token},
        **(extra or {}),
    )


def take_on(case, coordinator, supporter):
    """A coordinator offers the request to the supporter, who accepts it."""
    profile = supporter.supporter_profiles.get(program=case.program)
    cases.case_offer(case=case, supporter=profile, actor=coordinator)
    cases.case_accept(case=case, actor=supporter)
    case.refresh_from_db()
    return case


def field_error(response, field) -> str:
    match = re.search(
        rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode(), re.S
    )
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))) if match else ""


# Before anything is typed: the limits.


def test_request_page_shows_the_limits_and_crisis_lines_before_any_form(client, program):
    Program.objects.filter(pk=program.pk).update(
        confidentiality_limits="Supporters must act on a threat to life. Courts can order records."
    )
    page = text(client.get(request_url(program)))
    assert "Supporters must act on a threat to life. Courts can order records." in page
    assert "988" in page
    assert "alongside professional care" in page
    assert "your own phone or computer rather than a work device" in page
    assert "<textarea" not in page
    assert 'name="form_token"' not in page


def test_the_form_opens_only_once_the_limits_are_acknowledged(client, program):
    refused = client.post(request_url(program), {"step": "limits"})
    assert refused.status_code == 400
    assert "Please confirm you have read this" in text(refused)
    assert "<textarea" not in text(refused)

    accepted = client.post(request_url(program), {"step": "limits", "acknowledged": "on"})
    assert accepted.status_code == 200
    assert '<textarea name="message"' in accepted.content.decode()


@pytest.mark.parametrize("token", ["", "forged-token", formtokens.issue("request:999999")])
def test_a_form_sent_without_reading_the_limits_is_not_saved(client, program, token):
    response = client.post(request_url(program), request_data(token))
    assert response.status_code == 400
    assert "Please read this page and confirm" in text(response)
    assert Case.objects.count() == 0


# The form.


def test_the_form_offers_what_the_program_configured(client, program):
    Unit.objects.create(program=program, name="Station 4")
    program.topics.set(Topic.objects.filter(slug__in=["grief", "trauma"]))
    token = open_form(client, program)
    assert token
    page = client.post(request_url(program), {"step": "limits", "acknowledged": "on"})
    html = page.content.decode()
    assert "Grief and loss" in html and "Trauma" in html
    assert "Menopause" not in html
    channels = set(re.findall(r'name="channel" value="([^"]+)"', html))
    assert channels == {"messages", "phone", "in_person"}
    assert 'name="contact_detail"' in html
    assert "Not someone from my station" in html and "Station 4" in html
    assert 'name="in_danger"' in html
    assert 'name="wants_shared_experience"' in html
    assert 'name="preferred_gender"' in html and 'name="preferred_language"' in html
    assert 'name="alias"' in html
    assert re.search(r'<div class="hp" aria-hidden="true">.*name="website"', html, re.S)


def test_the_contact_field_is_left_out_when_only_anonymous_messages_are_offered(client, program):
    Program.objects.filter(pk=program.pk).update(
        offers_phone=False, offers_in_person=False, offers_video=False, offers_email=False
    )
    response = client.post(request_url(program), {"step": "limits", "acknowledged": "on"})
    assert 'name="contact_detail"' not in response.content.decode()


def test_a_request_is_saved_and_a_receipt_code_shown_once(client, program):
    unit = Unit.objects.create(program=program, name="Station 4")
    grief = Topic.objects.get(slug="grief")
    response = send_request(
        client,
        program,
        topics=[grief.pk],
        channel="phone",
        contact_detail="07700 900123",
        alias="Sam",
        wants_shared_experience="on",
        preferred_gender="woman",
        excluded_unit=unit.pk,
        urgency="soon",
    )
    assert response.status_code == 200
    code = code_in(response)
    page = text(response)
    assert "Keep this receipt code" in page
    assert "If you lose the code" in page
    case = Case.objects.get()
    assert list(case.topics.all()) == [grief]
    assert case.channel == "phone"
    assert case.contact_detail == "07700 900123"
    assert case.alias == "Sam"
    assert case.excluded_unit == unit
    assert case.wants_shared_experience is True
    assert case.urgency == Urgency.SOON
    assert case.messages.get().body == "Rough week after the call-out."
    # The code is never part of an address, and the status page never shows it again.
    html = response.content.decode()
    for address in re.findall(r'(?:href|action|src)="([^"]*)"', html):
        assert code not in address
    assert code not in client.get(status_url(program)).content.decode()


def test_a_message_and_the_preselected_choices_are_all_a_request_needs(client, program):
    form = client.post(request_url(program), {"step": "limits", "acknowledged": "on"})
    html = form.content.decode()
    assert re.search(r'name="channel" value="messages"[^>]*checked', html)
    assert re.search(r'name="urgency" value="routine"[^>]*checked', html)
    token = token_in(form)
    # A post that leaves out the preselected answers is told what is missing.
    response = client.post(
        request_url(program), {"step": "details", "form_token": token, "message": "Hi"}
    )
    assert response.status_code == 400
    assert "Choose how you would like to be contacted." in field_error(response, "channel")
    response = client.post(
        request_url(program),
        {
            "step": "details",
            "form_token": token,
            "message": "Hi",
            "channel": "messages",
            "urgency": "routine",
        },
    )
    assert response.status_code == 200
    code_in(response)


def test_the_receipt_page_has_a_keep_this_step_that_works_without_javascript(client, program):
    response = send_request(client, program)
    html = response.content.decode()
    status = status_url(program)
    assert re.search(rf'<form method="get" action="{status}"[^>]*data-keep', html)
    assert re.search(r'<input type="checkbox" id="kept" name="kept" value="1" required>', html)
    # Print and copy need JavaScript, so receipt.js adds them; the download does not.
    assert 'data-print-label="Print this page"' in html
    assert f'action="{reverse("programs:receipt_download", args=[program.slug])}"' in html


def test_each_receipt_page_shows_its_own_code_and_the_programs_details_as_they_are_now(
    client, program
):
    pagecache.invalidate(pagecache.program_scope(program.pk))  # the intake keeps the program
    first = send_request(client, program)
    second = send_request(client, program)
    first_code, second_code = code_in(first), code_in(second)
    assert first_code != second_code
    for page, code, other in ((first, first_code, second_code), (second, second_code, first_code)):
        html = page.content.decode()
        assert html.count(code) == 2  # shown, and in the download form's body
        assert other not in html
        assert "panel--urgent" not in html
    in_danger = send_request(client, program, in_danger="on").content.decode()
    assert "Call 988" in in_danger[in_danger.index("panel--urgent") : in_danger.index("<h1>")]
    # The program's name and a new crisis line show on the next receipt.
    program.name = "Harbour Peer Team"
    program.save()
    HelpResource.objects.create(
        program=program, name="Harbour night line", phone="555 0199", kind="crisis"
    )
    after = text(send_request(client, program))
    assert "Harbour Peer Team" in after
    assert "Call Harbour night line: 555 0199" in after
    assert "panel--urgent" not in after


def test_the_receipt_can_be_downloaded_as_a_file(client, program):
    code = code_in(send_request(client, program))
    url = reverse("programs:receipt_download", args=[program.slug])
    response = client.post(url, {"receipt_code": code.lower().replace("-", " ")})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="peer-support-receipt.txt"'
    body = response.content.decode()
    assert code in body
    assert f"http://testserver{status_url(program)}" in body
    assert client.get(url).status_code == 405


# Bad input: a clear message next to the field, nothing saved, answers kept.

BAD_INPUT = [
    ("message", {"message": "x" * (MAX_MESSAGE_LENGTH + 1)}, "Please keep this under 5000"),
    ("alias", {"alias": "A" * 41}, "Please keep this under 40"),
    ("contact_detail", {"channel": "phone", "contact_detail": "9" * 201}, "under 200"),
    ("topics", {"topics": ["999999"]}, "Choose topics from the list."),
    ("topics", {"topics": ["not-a-number"]}, "Choose topics from the list."),
    ("channel", {"channel": "email"}, "does not offer that way"),
    ("channel", {"channel": "carrier-pigeon"}, "does not offer that way"),
    ("contact_detail", {"channel": "phone", "contact_detail": "  "}, "leave a phone number"),
    ("urgency", {"urgency": "yesterday"}, "Choose how soon"),
]


@pytest.mark.parametrize(("field", "fields", "message"), BAD_INPUT)
def test_bad_input_gets_a_message_next_to_the_field_and_nothing_is_saved(
    client, program, field, fields, message
):
    token = open_form(client, program)
    data = request_data(token, message="Still here after the error.", alias="Robin")
    data.update(fields)
    response = client.post(request_url(program), data)
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert Case.objects.count() == 0
    assert Message.objects.count() == 0
    page = text(response)
    if field != "message":
        assert "Still here after the error." in page
    if field != "alias":
        assert 'value="Robin"' in page
    # The same token still works once the answer is fixed.
    fixed = client.post(request_url(program), request_data(token_in(response)))
    assert fixed.status_code == 200
    assert Case.objects.count() == 1


def test_a_topic_from_another_program_is_refused(client, program):
    program.topics.set(Topic.objects.filter(slug="grief"))
    stress = Topic.objects.get(slug="stress")
    response = send_request(client, program, topics=[stress.pk])
    assert response.status_code == 400
    assert "Choose topics from the list." in field_error(response, "topics")
    assert Case.objects.count() == 0


def test_a_unit_from_another_program_is_refused(client, program, other_program):
    Unit.objects.create(program=program, name="Station 4")
    elsewhere = Unit.objects.create(program=other_program, name="Ward 9")
    response = send_request(client, program, excluded_unit=elsewhere.pk)
    assert response.status_code == 400
    assert "Choose from this program's list." in field_error(response, "excluded_unit")
    assert Case.objects.count() == 0


def test_a_closed_program_says_so_and_keeps_the_answers(client, program):
    token = open_form(client, program)
    program.state = Program.State.CLOSED
    program.save(update_fields=["state"])  # as closing it does (services.launch)
    response = client.post(request_url(program), request_data(token, message="Keep me."))
    assert response.status_code == 400
    page = text(response)
    assert "not taking new requests right now, so nothing was sent" in page
    assert "Keep me." in page
    assert Case.objects.count() == 0


def test_a_replayed_form_is_not_saved_twice_and_keeps_the_answers(client, program):
    token = open_form(client, program)
    data = request_data(token, message="Only once, please.")
    assert client.post(request_url(program), data).status_code == 200
    again = client.post(request_url(program), data)
    assert again.status_code == 409
    page = text(again)
    assert "already been sent once" in page
    assert "Only once, please." in page
    assert Case.objects.count() == 1
    assert token_in(again) != token


def test_a_form_refused_by_the_rate_limit_keeps_its_token_for_a_later_send(client, program):
    """The token is spent in the intake's own statement: a refusal spends nothing, and the
    same form goes through once the hour's window has passed."""
    Program.objects.filter(pk=program.pk).update(intake_limit_per_hour=1)
    send_request(client, program, message="The first one.")
    token = open_form(client, program)
    data = request_data(token, message="Held back by the limit.")
    refused = client.post(request_url(program), data)
    assert refused.status_code == 429
    assert "Held back by the limit." in text(refused)
    assert Case.objects.count() == 1
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert client.post(request_url(program), data).status_code == 200
        assert client.post(request_url(program), data).status_code == 409  # now spent
    assert Case.objects.count() == 2


def test_a_form_left_open_too_long_keeps_the_answers_and_can_be_sent_again(client, program):
    token = open_form(client, program)
    with time_machine.travel(timezone.now() + timedelta(hours=7)):
        stale = client.post(request_url(program), request_data(token, message="Late."))
        assert stale.status_code == 400
        assert "has expired" in text(stale)
        assert "Late." in text(stale)
        assert Case.objects.count() == 0
        fresh = client.post(request_url(program), request_data(token_in(stale), message="Late."))
        assert fresh.status_code == 200
    assert Case.objects.get().messages.get().body == "Late."


def test_a_filled_honeypot_saves_nothing(client, program):
    response = send_request(client, program, website="http://spam.example")
    assert response.status_code == 400
    assert Case.objects.count() == 0


# Crisis triage.


def test_not_safe_shows_crisis_lines_at_once_and_flags_the_request_urgent(client, program):
    response = send_request(client, program, in_danger="on", urgency="routine")
    assert response.status_code == 200
    html = response.content.decode()
    crisis = html.index('class="panel panel--urgent" role="alert"')
    assert crisis < html.index("<h1>")
    assert "Call 988" in html[crisis:]
    code_in(response)  # never blocked: the request went through
    case = Case.objects.get()
    assert case.crisis_flag and case.in_danger
    assert case.urgency == Urgency.URGENT
    assert case.events.filter(kind=CaseEvent.Kind.FLAGGED).exists()


@pytest.mark.parametrize(
    "message",
    [
        "Some days I want to END MY LIFE.",
        "I’ve been thinking about suicide",
        "honestly i don’t want to live like this",
        "I could   kill\nmyself",
    ],
)
def test_crisis_phrases_in_the_message_flag_the_request(client, program, message):
    response = send_request(client, program, message=message)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Case.objects.get().crisis_flag


def test_an_ordinary_message_is_not_flagged(client, program):
    response = send_request(client, program, message="Long shifts and poor sleep lately.")
    assert 'class="panel panel--urgent"' not in response.content.decode()
    assert not Case.objects.get().crisis_flag


def test_each_program_sets_its_own_crisis_phrases(client, program):
    Program.objects.filter(pk=program.pk).update(crisis_phrases="Walk into the sea\n")
    send_request(client, program, message="I keep thinking I'll walk into the  sea.")
    send_request(client, program, message="We did resilience training today.")
    flagged = dict(Case.objects.values_list("messages__body", "crisis_flag").order_by("pk"))
    assert flagged == {
        "I keep thinking I'll walk into the  sea.": True,
        "We did resilience training today.": False,
    }


# Coming back: the status page.


def test_the_status_page_asks_for_the_code_in_a_form_and_never_reads_it_from_the_url(
    client, program
):
    code = code_in(send_request(client, program))
    page = client.get(status_url(program)).content.decode()
    assert re.search(rf'<form method="post" action="{status_url(program)}"', page)
    from_url = client.get(status_url(program), {"receipt_code": code})
    assert from_url.status_code == 200
    assert "Rough week" not in text(from_url)


def test_the_code_opens_the_status_and_conversation_however_it_is_typed(client, program):
    code = code_in(send_request(client, program))
    typed = code.lower().replace("-", " ").replace("0", "o")
    response = look_up(client, program, typed)
    assert response.status_code == 200
    page = text(response)
    assert "Waiting for a peer supporter" in page
    assert "Rough week after the call-out." in page


def test_the_requester_reads_a_reply_answers_and_the_supporter_sees_it(
    client, program, coordinator, supporter
):
    code, case = new_request(client, program)
    take_on(case, coordinator, supporter)
    cases.staff_reply(case=case, actor=supporter, body="I'm here. How are you?")

    page = text(look_up(client, program, code))
    profile = supporter.supporter_profiles.get(program=program)
    assert f"{profile.display_name}, a peer supporter, is looking after your request." in page
    assert "I'm here. How are you?" in page

    answered = reply(client, program, code, "Better for writing it down.")
    assert answered.status_code == 200
    assert "Your reply has been sent." in text(answered)
    case.refresh_from_db()
    assert case.status == Case.Status.ACTIVE
    assert [m.body for m in case.messages.all()] == [
        "Rough week after the call-out.",
        "I'm here. How are you?",
        "Better for writing it down.",
    ]


def test_a_coordinator_can_reply_before_anyone_is_assigned(client, program, coordinator):
    code, case = new_request(client, program)
    cases.staff_reply(case=case, actor=coordinator, body="We're finding someone.")
    page = text(look_up(client, program, code))
    assert "Coordinator" in page and "We're finding someone." in page


def test_a_replayed_reply_is_not_sent_twice(client, program):
    code, case = new_request(client, program)
    token = token_in(look_up(client, program, code))
    reply(client, program, code, "Once.", token=token)
    again = reply(client, program, code, "Once.", token=token)
    assert again.status_code == 200
    assert "was not sent twice" in text(again)
    assert [m.body for m in case.messages.all()].count("Once.") == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "Write a message first."), ("y" * (MAX_MESSAGE_LENGTH + 1), "under 5000")],
)
def test_an_empty_or_overlong_reply_gets_a_clear_message(client, program, body, error):
    code, case = new_request(client, program)
    response = reply(client, program, code, body)
    assert response.status_code == 400
    assert error in field_error(response, "body")
    assert case.messages.count() == 1
    if body.strip():
        assert body in text(response)


def test_a_reply_with_a_crisis_phrase_shows_crisis_lines_and_flags_the_request(client, program):
    code, case = new_request(client, program)
    response = reply(client, program, code, "I don't want to live anymore.")
    assert response.status_code == 200
    assert 'class="panel panel--urgent" role="alert"' in response.content.decode()
    case.refresh_from_db()
    assert case.crisis_flag
    assert case.urgency == Urgency.URGENT


def test_withdrawing_asks_first_then_deletes_the_conversation(client, program):
    code, case = new_request(client, program)
    confirm = look_up(client, program, code, action="withdraw-confirm")
    assert "Withdraw your request?" in text(confirm)
    case.refresh_from_db()
    assert case.status == Case.Status.QUEUED

    done = look_up(client, program, code, action="withdraw")
    assert "Your request has been withdrawn" in text(done)
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert case.messages.count() == 0
    assert look_up(client, program, code).status_code == 404


def test_unknown_malformed_withdrawn_purged_and_idle_codes_all_get_the_same_answer(client, program):
    withdrawn, _ = new_request(client, program)
    look_up(client, program, withdrawn, action="withdraw")
    purged, _ = new_request(client, program)
    look_up(client, program, purged, action="withdraw")
    idle, _ = new_request(client, program)

    later = timezone.now() + timedelta(days=program.retention_days + 1)
    with time_machine.travel(later):
        call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert not Case.objects.filter(status="withdrawn", purged=False).exists()
        fresh, _ = new_request(client, program)
        answers = {
            "unknown": look_up(client, program, "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345"),
            "malformed": look_up(client, program, "hello'; DROP TABLE"),
            "empty": look_up(client, program, ""),
            "withdrawn": look_up(client, program, withdrawn),
            "purged": look_up(client, program, purged),
            "idle": look_up(client, program, idle),
        }
        assert look_up(client, program, fresh).status_code == 200
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    bodies = {r.content for r in answers.values()}
    assert len(bodies) == 1
    assert "We could not open a request with that code" in text(answers["unknown"])


def test_coming_back_keeps_the_code_alive_past_the_idle_period(client, program):
    code, _ = new_request(client, program)
    start = timezone.now()
    idle = program.requester_idle_days
    with time_machine.travel(start + timedelta(days=idle - 1)):
        assert look_up(client, program, code).status_code == 200
    with time_machine.travel(start + timedelta(days=idle + 5)):
        assert look_up(client, program, code).status_code == 200
    with time_machine.travel(start + timedelta(days=2 * idle + 10)):
        assert look_up(client, program, code).status_code == 404
