"""Cancelling a sign-up with the code from signing up: the first on the waiting list moves
up and, if they left an email, hears about it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cms import events
from cms.models import EventSignup
from tests.cms.test_events import NOW, _clock, _signup, make_event  # noqa: F401

pytestmark = pytest.mark.django_db


def _code(response) -> str:
    found = re.search(
        r'class="receipt-code"><strong>([0-9A-Z-]+)</strong>', response.content.decode()
    )
    assert found, "no cancellation code on the confirmation page"
    return found.group(1)


def _cancel(client, program, code):
    url = reverse("event_cancel", args=[program.slug])
    page = client.get(url)
    assert page.status_code == 200 and not page.cookies
    token = re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(url, {"form_token": token, "code": code})


def test_cancelling_gives_the_place_to_the_first_on_the_waiting_list_and_emails_them(
    program, django_capture_on_commit_callbacks
):
    event = make_event(program, capacity=1)
    session = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    client = Client()
    sam = _code(_signup(client, event, program, session, alias="Sam"))
    _signup(client, event, program, session, alias="Robin", email="robin@example.org")
    _signup(client, event, program, session, alias="Kit", email="kit@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = _cancel(client, program, sam.lower().replace("-", " "))  # as typed
    assert done.status_code == 200
    html = done.content.decode()
    assert "Your sign-up is cancelled" in html and "next person on the waiting list" in html
    assert not done.cookies
    assert [(s.alias, s.waiting) for s in EventSignup.objects.order_by("pk")] == [
        ("Robin", False),
        ("Kit", True),
    ]
    (message,) = mail.outbox
    assert message.to == ["robin@example.org"]
    assert "now yours" in message.body and "Tuesday peer group" in message.body


def test_a_code_works_once_and_only_in_its_own_program(client, program, other_program):
    event = make_event(program)
    session = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    code = _code(_signup(client, event, program, session))
    assert _cancel(client, other_program, code).status_code == 400
    assert EventSignup.objects.count() == 1
    assert _cancel(client, program, code).status_code == 200
    again = _cancel(client, program, code)
    assert again.status_code == 400
    assert "No sign-up has this code" in again.content.decode()


def test_leaving_the_waiting_list_moves_nobody_up(client, program):
    event = make_event(program, capacity=1)
    session = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    _signup(client, event, program, session, alias="Sam")
    robin = _code(_signup(client, event, program, session, alias="Robin"))
    _signup(client, event, program, session, alias="Kit")
    done = _cancel(client, program, robin)
    assert "next person on the waiting list" not in done.content.decode()
    assert [(s.alias, s.waiting) for s in EventSignup.objects.order_by("pk")] == [
        ("Sam", False),
        ("Kit", True),
    ]


def test_nonsense_or_a_missing_form_token_cancels_nothing(client, program):
    event = make_event(program)
    session = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    code = _code(_signup(client, event, program, session))
    bad = _cancel(client, program, "not a code")
    assert bad.status_code == 400 and "That is not a cancellation code" in bad.content.decode()
    no_token = client.post(reverse("event_cancel", args=[program.slug]), {"code": code})
    assert no_token.status_code == 400
    assert EventSignup.objects.count() == 1
    assert not EventSignup.objects.filter(cancel_digest=code).exists()  # only a hash is kept
