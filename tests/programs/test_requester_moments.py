"""The requester's worst moments: crisis wording, rate limits, no JavaScript, times, closing."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from programs.models import Case, HelpResource, Message, ReferralKind, Urgency
from programs.services import cases, intake
from tests.programs.test_intake_flow import (
    look_up,
    new_request,
    reply,
    send_request,
    take_on,
    text,
)

pytestmark = pytest.mark.django_db


# Without JavaScript nothing inert shows.


def _buttons(html: str) -> list[str]:
    return re.findall(r"<button\b[^>]*>.*?</button>", html, flags=re.S)


def test_the_receipt_page_without_javascript_shows_only_buttons_that_work(client, program):
    html = send_request(client, program).content.decode()
    buttons = _buttons(html)
    assert buttons, "the receipt page has its download and done buttons"
    # Every button a no-JavaScript browser shows submits a form; none waits for a script.
    assert [b for b in buttons if 'type="submit"' not in b] == []
    assert "Copy the code</button>" not in html
    assert "Print this page</button>" not in html


def test_hidden_always_wins_over_a_class_that_sets_display():
    css = Path(settings.BASE_DIR, "toolkit/static/css/site.css").read_text()
    assert re.search(r"\[hidden\]\s*\{\s*display:\s*none\s*!important;?\s*\}", css)


# Crisis wording.

CRISIS_SENTENCES = [
    # The wording the issue found missed.
    "I want to die",
    "I've been thinking about ending it",
    "I can't go on",
    "I don't want to be here anymore",
    "no point living anymore",
    # Case, curly apostrophes, spacing, punctuation.
    "I WANT TO DIE.",
    "i can\u2019t go on.",
    "I don\u2019t want to be here any more",
    "Honestly   I just\nwant to die",
    "i cannot go on",
    "I do not want to be alive",
    "Some days I wish I was dead",
    "I wished I were dead last night",
    "I keep wishing I could go to sleep and not wake up",
    "I hope I don't wake up tomorrow",
    "I've had thoughts of killing myself",
    "I've been thinking about killing myself this week",
    "I tried to kill myself two years ago",
    "I've looked up how to kill myself",
    "I have a plan to end my life",
    "I'm going to take my own life",
    "I've written a suicide note",
    "My family would be better off without me",
    "Everyone would be better off if I wasn't here",
    "I'd be better off dead",
    "I feel suicidal after nights",
    "I've been having suicidal thoughts",
    "I keep hurting myself",
    "I cut myself again yesterday",
    "I've started self-harming",
    "I thought about taking all my pills",
    "I could just end it all",
    "I'm gonna end it",
    "I wanna die",
    "There's no point in living",
    "What's the point of living like this",
    "I have no reason to live",
    "I've got nothing to live for",
    "I feel like a burden to everyone",
    "I can't go on like this, I'm done",
    "I can't keep going.",
    "I can't do this any more",
    "I don't want to live anymore",
    "I'm not safe at home",
    "I don't feel safe around myself",
    "Life is not worth living",
]

ORDINARY_SENTENCES = [
    "This deadline is killing me",
    "My back is killing me after that lift",
    "I could kill for a coffee",
    "I'm dying to see the new film",
    "I nearly died laughing at the briefing",
    "My phone died halfway through the shift",
    "I'd rather die than sit through another audit",
    "I'm dead on my feet",
    "I can't go on holiday this year",
    "I can't go on nights any more",
    "I don't want to be here on Saturdays",
    "I want to end this meeting early",
    "We need to end the project before spring",
    "I hurt my back lifting a patient",
    "My colleague died last month and I keep thinking about it",
    "The old ladders are not safe to use",
    "Kill the lights when you leave",
    "That presentation killed me",
    "I'm so tired I could sleep for a week",
    "I want to disappear under a duvet for a week",
    "Long shifts and poor sleep lately",
    "I'm killing it at work, just need to talk about my manager",
]


def test_the_phrase_table_is_big_enough():
    assert len(CRISIS_SENTENCES) >= 40 and len(ORDINARY_SENTENCES) >= 20


@pytest.mark.parametrize("sentence", CRISIS_SENTENCES)
def test_crisis_wording_flags_a_request_urgent(program, sentence):
    assert intake.crisis_detected(program=program, text=sentence, in_danger=False)


@pytest.mark.parametrize("sentence", ORDINARY_SENTENCES)
def test_figures_of_speech_do_not_flag_a_request_by_default(program, sentence):
    assert not intake.crisis_detected(program=program, text=sentence, in_danger=False)


def test_a_program_adds_its_own_phrases_to_the_built_in_ones(program):
    program.crisis_phrases = "Walk into the sea\nkilling me\n"
    program.save()
    program.refresh_from_db()
    for sentence in [
        "I keep thinking I\u2019ll WALK into the  sea.",
        "This deadline is killing me",  # a program may choose to flag these too
        "I want to die",  # the built-in list still applies
    ]:
        assert intake.crisis_detected(program=program, text=sentence, in_danger=False)
    assert not intake.crisis_detected(program=program, text="A walk by the sea", in_danger=False)


def test_crisis_wording_in_the_form_shows_the_crisis_lines_first(client, program):
    response = send_request(client, program, message="Thinking about ending it tonight")
    html = response.content.decode()
    assert 'class="panel panel--urgent" role="alert"' in html
    assert html.index("panel--urgent") < html.index("<h1>")
    assert Case.objects.get().crisis_flag


def test_crisis_wording_in_a_reply_flags_the_request(client, program):
    code, case = new_request(client, program)
    response = reply(client, program, code, "Honestly I can\u2019t go on.")
    assert 'class="panel panel--urgent" role="alert"' in response.content.decode()
    case.refresh_from_db()
    assert case.crisis_flag and case.urgency == Urgency.URGENT


def test_crisis_wording_through_the_api_returns_the_crisis_lines(program):
    response = APIClient().post(
        f"/api/v1/programs/{program.slug}/requests/",
        {"message": "no point living anymore"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["crisis"] is True
    assert response.json()["crisis_lines"]


def test_the_admin_program_settings_offer_the_extra_phrases(program):
    from programs.admin.views import ProgramViewSet

    fields = _panel_fields(ProgramViewSet.edit_handler)
    assert {"crisis_phrases", "intake_limit_per_hour"} <= fields
    assert {"expected_reply_time", "staffed_hours"} <= fields


def _panel_fields(panel) -> set[str]:
    names = {panel.field_name} if getattr(panel, "field_name", None) else set()
    for child in getattr(panel, "children", ()):
        names |= _panel_fields(child)
    return names


# Rate limit meets a crisis.

SHARED_ADDRESS = {"REMOTE_ADDR": "198.51.100.7"}


def test_a_workplace_behind_one_address_is_not_locked_out_after_five_requests(
    client, program, steady_clock
):
    for n in range(7):
        response = send_request(client, program, extra=SHARED_ADDRESS, message=f"Colleague {n}")
        assert response.status_code == 200, n
    assert Case.objects.count() == 7


def test_a_held_back_requester_in_crisis_sees_the_crisis_lines_first_and_no_form_error(
    client, program, steady_clock
):
    program.intake_limit_per_hour = 2
    program.save()
    for _ in range(2):
        assert send_request(client, program, extra=SHARED_ADDRESS).status_code == 200
    limited = send_request(client, program, extra=SHARED_ADDRESS, message="I want to die")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    page = text(limited)
    main = page[page.index('<main id="main"') :]
    assert "Please check your answers" not in page
    assert "error-summary" not in page
    assert main.index("panel--urgent") < main.index("<h1>")
    assert "If you are not safe right now, please call now" in main
    assert "Call 988" in main[: main.index("<h1>")]
    assert "Your request has not been sent yet" in main
    assert "I want to die" in main  # the answers are kept to send again
    assert Case.objects.count() == 2


def test_a_held_back_requester_always_sees_the_crisis_lines_before_the_explanation(
    client, program, steady_clock
):
    program.intake_limit_per_hour = 1
    program.save()
    send_request(client, program, extra=SHARED_ADDRESS)
    limited = send_request(client, program, extra=SHARED_ADDRESS, message="Rough week.")
    main = text(limited)[text(limited).index('<main id="main"') :]
    assert limited.status_code == 429
    assert "Call 988" in main[: main.index("<h1>")]
    assert "Please check your answers" not in main


def test_each_program_counts_its_own_requests(client, program, other_program, steady_clock):
    program.intake_limit_per_hour = 1
    program.save()
    assert send_request(client, program, extra=SHARED_ADDRESS).status_code == 200
    assert send_request(client, program, extra=SHARED_ADDRESS).status_code == 429
    assert send_request(client, other_program, extra=SHARED_ADDRESS).status_code == 200


# When things happened, and what to expect.


def test_the_conversation_shows_coarse_times_and_says_they_are_rounded(
    client, program, coordinator, supporter
):
    with time_machine.travel(datetime(2026, 6, 9, 9, 41, tzinfo=UTC), tick=False):
        code, case = new_request(client, program)
    take_on(case, coordinator, supporter)
    with time_machine.travel(datetime(2026, 6, 10, 14, 35, tzinfo=UTC), tick=False):
        cases.staff_reply(case=case, actor=supporter, body="Here for you.")
        page = text(look_up(client, program, code))
    assert "yesterday, about 09:00" in page
    assert "today, about 14:00" in page
    assert "14:35" not in page and "09:41" not in page
    assert "Times are rounded down to the hour" in page


def test_a_reply_never_shows_above_the_message_it_answers(client, program, coordinator, supporter):
    """The requester's reply is stamped 14:00 and the supporter's 14:35: order is by sending."""
    code, case = new_request(client, program)
    take_on(case, coordinator, supporter)
    with time_machine.travel(datetime(2026, 6, 10, 14, 35, tzinfo=UTC), tick=False):
        cases.staff_reply(case=case, actor=supporter, body="How was the night?")
    with time_machine.travel(datetime(2026, 6, 10, 14, 50, tzinfo=UTC), tick=False):
        reply(client, program, code, "Long, but I slept after.")
        page = text(look_up(client, program, code))
        api = APIClient().post("/api/v1/requests/lookup/", {"receipt_code": code}, format="json")
    stamps = dict(case.messages.values_list("body", "created_at"))
    assert stamps["Long, but I slept after."] < stamps["How was the night?"]  # coarse vs exact
    question = page.index("How was the night?")
    answer = page.index("Long, but I slept after.")
    assert question < answer
    assert re.findall(r"today, about (\d\d):00", page)[-2:] == ["14", "14"]
    bodies = [m["body"] for m in api.json()["messages"]]
    assert bodies.index("How was the night?") < bodies.index("Long, but I slept after.")


def test_the_receipt_and_status_pages_show_the_expected_reply_time_and_staffed_hours(
    client, program, coordinator, supporter
):
    program.expected_reply_time = "within one working day"
    program.staffed_hours = "Monday to Friday, 08:00 to 18:00"
    program.save()
    receipt = text(send_request(client, program))
    lookup = text(client.get(reverse("programs:status", args=[program.slug])))
    code = re.search(r'<code id="receipt-code">([^<]+)</code>', receipt).group(1)
    conversation = text(look_up(client, program, code))
    for page in (receipt, lookup, conversation):
        assert "A peer supporter usually replies" in page
        assert "within one working day" in page
        assert "Monday to Friday, 08:00 to 18:00" in page


def test_without_settings_the_pages_promise_no_reply_time(client, program):
    receipt = text(send_request(client, program))
    assert "When to expect a reply" in receipt
    assert "A peer supporter usually replies" not in receipt
    assert "This is not an emergency service" in receipt


# Closing a case on someone.

CLOSING = "I'm closing this for now. The EAP can help with sleep; call them any time."


@pytest.fixture
def waiting_case(client, program, coordinator, supporter):
    """A case the supporter answered once; the requester then wrote again, unanswered."""
    code, case = new_request(client, program)
    take_on(case, coordinator, supporter)
    cases.staff_reply(case=case, actor=supporter, body="How are you doing?")
    reply(client, program, code, "Still not sleeping.")
    case.refresh_from_db()
    case.receipt_code = code
    return case


def _case_url(case, action=None):
    if action is None:
        return reverse("programs:caseload_case", args=[case.pk])
    return reverse(f"programs:caseload_{action}", args=[case.pk])


def test_the_case_page_warns_before_closing_on_an_unanswered_message(
    client, waiting_case, supporter
):
    client.force_login(supporter)
    page = text(client.get(_case_url(waiting_case)))
    close = page[page.index('id="close-heading"') :]
    assert "Their last message has not been answered." in close
    assert "Closing message to the requester" in close

    refused = client.post(_case_url(waiting_case, "close"), {"close-outcome": "supported"})
    assert refused.status_code == 400
    assert "Their last message has not been answered yet" in text(refused)
    waiting_case.refresh_from_db()
    assert waiting_case.is_open


def test_the_service_refuses_to_close_on_an_unanswered_message_without_a_closing_word(
    waiting_case, supporter
):
    with pytest.raises(ValidationError) as caught:
        cases.case_close(case=waiting_case, actor=supporter, outcome="supported")
    assert "closing_message" in caught.value.error_dict
    waiting_case.refresh_from_db()
    assert waiting_case.is_open


def test_a_case_the_supporter_answered_last_closes_without_a_closing_message(
    client, program, coordinator, supporter
):
    code, case = new_request(client, program)
    take_on(case, coordinator, supporter)
    cases.staff_reply(case=case, actor=supporter, body="Glad it helped.")
    client.force_login(supporter)
    page = text(client.get(_case_url(case)))
    assert "Their last message has not been answered." not in page
    done = client.post(_case_url(case, "close"), {"close-outcome": "supported"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


def test_the_requester_sees_the_closing_message_the_help_suggested_and_the_crisis_lines(
    client, program, waiting_case, supporter
):
    HelpResource.objects.create(
        program=program,
        kind=HelpResource.Kind.EAP,
        name="Northfield Employee Assistance Programme",
        phone="0800 123 456",
        hours="Weekdays 08:00 to 20:00",
    )
    cases.referral_record(case=waiting_case, actor=supporter, kind=ReferralKind.EAP)
    client.force_login(supporter)
    done = client.post(
        _case_url(waiting_case, "close"),
        {"close-outcome": "referred", "close-closing_message": CLOSING},
    )
    assert done.status_code == 302
    client.logout()

    page = text(look_up(client, program, waiting_case.receipt_code))
    main = page[page.index('<main id="main"') :]
    assert "This conversation has been closed" in main
    assert "A closing message from" in main and CLOSING in main
    assert main.count(CLOSING) == 1
    assert "Your supporter suggested: Employee assistance program" in main
    assert "Northfield Employee Assistance Programme" in main
    assert "Call 0800 123 456" in main
    closed = main[main.index('id="closed-heading"') :]
    assert "Call 988" in closed[: closed.index('id="conversation-heading"')]


def test_the_closing_message_is_encrypted_at_rest(waiting_case, supporter):
    from django.db import connection

    cases.case_close(
        case=waiting_case, actor=supporter, outcome="supported", closing_message=CLOSING
    )
    message = Message.objects.get(case=waiting_case, is_closing=True)
    assert message.body == CLOSING
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM programs_message WHERE id = %s", [message.pk])
        stored = cursor.fetchone()[0]
    assert "EAP" not in stored and "closing" not in stored


def test_the_api_closes_through_the_same_rule(waiting_case, supporter):
    from tests.api.conftest import client_for

    api = client_for(supporter)
    url = f"/api/v1/cases/{waiting_case.pk}/"
    refused = api.patch(url, {"status": "closed", "outcome": "supported"})
    assert refused.status_code == 400
    assert "closing_message" in refused.json()["error"]["fields"]
    closed = api.patch(
        url, {"status": "closed", "outcome": "supported", "closing_message": CLOSING}
    )
    assert closed.status_code == 200
    assert closed.json()["messages"][-1]["body"] == CLOSING
