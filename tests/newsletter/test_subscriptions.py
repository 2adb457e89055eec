"""Subscribing is double opt-in, sets no cookie, and says the same thing for every address."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from newsletter.models import Subscriber

from .helpers import link_in, path_of, subscribe

pytestmark = pytest.mark.django_db


def test_subscribe_confirm_and_the_address_is_stored_encrypted(
    client, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, program, "  Reader@Example.org ")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert not response.cookies
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    confirm = path_of(link_in(mail.outbox[0], "confirm"))

    subscriber = Subscriber.objects.get(program=program)
    assert not subscriber.is_confirmed
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM newsletter_subscriber")
        (stored,) = cursor.fetchone()
    assert "reader" not in stored
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(Subscriber.objects.values().get())

    # Opening the link (a mail scanner does) confirms nothing; the button does.
    shown = client.get(confirm)
    assert shown.status_code == 200 and not shown.cookies
    subscriber.refresh_from_db()
    assert not subscriber.is_confirmed
    done = client.post(confirm)
    assert "You are subscribed" in done.content.decode()
    assert not done.cookies
    subscriber.refresh_from_db()
    assert subscriber.is_confirmed

    # Twice is harmless.
    again = client.post(confirm)
    assert again.status_code == 200
    assert "You are subscribed" in again.content.decode()
    assert Subscriber.objects.filter(program=program).count() == 1


def test_a_confirmed_address_subscribing_again_gets_the_same_words_and_no_email(
    client, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, program, "reader@example.org")
    client.post(path_of(link_in(mail.outbox[0], "confirm")))
    first = subscribe(client, program, "someone-new@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = subscribe(client, program, "reader@example.org")
    assert again.status_code == 200
    assert mail.outbox == []
    # Nothing on the page tells a confirmed address from a new one.
    assert again.content == first.content


def test_the_form_page_sets_no_cookie_and_is_not_cached(client, program, admin):
    client.force_login(admin)  # even a signed-in visitor's session is not touched here
    page = client.get(reverse("newsletter:subscribe", args=[program.slug]))
    assert page.status_code == 200
    assert not page.cookies
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert 'name="form_token"' in page.content.decode()
    assert "csrfmiddlewaretoken" not in page.content.decode()


def test_an_invalid_address_gets_a_clear_error_and_nothing_is_stored(client, program):
    response = subscribe(client, program, "not-an-address")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not response.cookies
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_a_form_without_its_token_or_sent_twice_is_refused(client, program):
    url = reverse("newsletter:subscribe", args=[program.slug])
    assert client.post(url, {"email": "reader@example.org"}).status_code == 400
    page = client.get(url)
    token = page.content.decode().split('name="form_token" value="')[1].split('"')[0]
    assert client.post(url, {"email": "a@example.org", "form_token": token}).status_code == 200
    assert client.post(url, {"email": "b@example.org", "form_token": token}).status_code == 409
    assert Subscriber.objects.count() == 1


def test_an_expired_confirmation_link_confirms_nothing(
    client, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, program, "late@example.org")
    confirm = path_of(link_in(mail.outbox[0], "confirm"))
    with time_machine.travel(timedelta(hours=49)):
        response = client.post(confirm)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert not Subscriber.objects.get().is_confirmed


def test_a_new_link_replaces_the_old_one_but_not_within_minutes(
    client, program, django_capture_on_commit_callbacks
):
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            subscribe(client, program, "twice@example.org")
    assert len(mail.outbox) == 1  # a second click, or someone flooding the inbox
    with (
        time_machine.travel(timedelta(minutes=11)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        subscribe(client, program, "twice@example.org")
    old, new = (path_of(link_in(m, "confirm")) for m in mail.outbox)
    assert "does not work" in client.post(old).content.decode()
    assert "You are subscribed" in client.post(new).content.decode()


def test_a_confirmation_link_works_only_in_its_own_program(
    client, program, other_program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, program, "reader@example.org")
    confirm = path_of(link_in(mail.outbox[0], "confirm"))
    elsewhere = confirm.replace(f"/p/{program.slug}/", f"/p/{other_program.slug}/")
    assert client.post(elsewhere).status_code == 400
    assert not Subscriber.objects.get().is_confirmed


def test_unconfirmed_addresses_are_deleted_after_a_week_by_the_daily_purge(
    client, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, program, "never@example.org")
        subscribe(client, program, "confirmed@example.org")
    client.post(path_of(link_in(mail.outbox[1], "confirm")))
    with time_machine.travel(timedelta(days=6)):
        call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Subscriber.objects.count() == 2
    with time_machine.travel(timedelta(days=8)):
        call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [s.email for s in Subscriber.objects.all()] == ["confirmed@example.org"]


def test_many_sign_ups_from_one_connection_are_refused_calmly_and_store_nothing(
    client, program, settings
):
    from newsletter.models import Subscriber

    from .helpers import subscribe

    settings.TOOLKIT_RATE_LIMITS = {
        **settings.TOOLKIT_RATE_LIMITS,
        "subscribe": {"client": (2, 3600), "global": (100, 3600)},
    }
    assert subscribe(client, program, "a@example.org").status_code == 200
    assert subscribe(client, program, "b@example.org").status_code == 200
    refused = subscribe(client, program, "c@example.org")
    assert refused.status_code == 429
    assert "Please try again in an hour" in refused.content.decode()
    assert Subscriber.objects.filter(program=program).count() == 2
