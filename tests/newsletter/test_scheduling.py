"""An issue can be sent later: at its time `send_scheduled_newsletters` starts the same send."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from newsletter.models import ScheduledSend
from programs.models import Role
from tests.factories import make_member

from .helpers import issue_of, make_confirmed, recipients

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = StringIO()
    call_command("send_scheduled_newsletters", stdout=out)
    return out.getvalue()


@pytest.fixture
def screen(client, admin, program):
    client.force_login(admin)
    return reverse("newsletter_send", args=[issue_of(program).pk])


def test_a_scheduled_issue_goes_at_its_time_and_only_once(
    client, screen, program, django_capture_on_commit_callbacks
):
    make_confirmed(program, ["one@example.org", "two@example.org"])
    when = timezone.localtime() + timedelta(days=1)
    page = client.post(
        screen, {"action": "schedule", "send_at": when.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    assert "The issue will be sent on" in page.content.decode()
    assert "Scheduled to be sent on" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert _run() == ""  # not yet
    assert recipients() == []
    with time_machine.travel(when + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert _run() == "Started 1 scheduled newsletter send(s).\n"
        with django_capture_on_commit_callbacks(execute=True):
            assert _run() == ""  # tried once: nobody gets it twice
    assert sorted(recipients()) == ["one@example.org", "two@example.org"]
    assert ScheduledSend.objects.get().outcome.startswith("Sending to 2 subscribers")


def test_a_time_in_the_past_or_a_bad_date_is_refused_and_nothing_is_scheduled(client, screen):
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(screen, {"action": "schedule", "send_at": past}, follow=True)
    assert "Choose a time in the future" in page.content.decode()
    page = client.post(screen, {"action": "schedule", "send_at": "next tuesday"}, follow=True)
    assert "Enter the date and time to send" in page.content.decode()
    assert not ScheduledSend.objects.exists()


def test_a_cancelled_schedule_sends_nothing(client, screen, program):
    make_confirmed(program, ["one@example.org"])
    when = timezone.localtime() + timedelta(hours=2)
    client.post(screen, {"action": "schedule", "send_at": when.strftime("%Y-%m-%dT%H:%M")})
    page = client.post(screen, {"action": "unschedule"}, follow=True)
    assert "The scheduled send is cancelled." in page.content.decode()
    with time_machine.travel(when + timedelta(minutes=1)):
        assert _run() == ""
    assert recipients() == []


def test_an_issue_unpublished_before_its_time_is_not_sent_and_says_why(client, screen, program):
    make_confirmed(program, ["one@example.org"])
    when = timezone.localtime() + timedelta(hours=2)
    client.post(screen, {"action": "schedule", "send_at": when.strftime("%Y-%m-%dT%H:%M")})
    issue_of(program).unpublish()
    with time_machine.travel(when + timedelta(minutes=1)):
        assert _run() == ""
    assert recipients() == []
    page = client.get(screen)
    assert "The scheduled send did not go: Publish this issue before sending it." in (
        page.content.decode()
    )


def test_an_editor_may_not_schedule(client, program):
    editor = make_member(program, Role.EDITOR, email="editor-schedule@example.org")
    client.force_login(editor)
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("newsletter_send", args=[issue_of(program).pk])
    refused = client.post(url, {"action": "schedule", "send_at": when})
    assert refused.status_code in (302, 403)  # Wagtail sends a refused admin user home
    assert refused.status_code == 403 or refused.url == "/admin/"
    assert not ScheduledSend.objects.exists()
