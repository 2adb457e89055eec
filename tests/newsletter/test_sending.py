"""Issues go once to each confirmed subscriber of their own program, resumably."""

import re
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.urls import reverse

from newsletter import services
from newsletter.models import Delivery, Subscriber
from programs.models import Role
from tests.factories import make_member

from .helpers import issue_of, link_in, make_confirmed, path_of, recipients, subscribe

pytestmark = pytest.mark.django_db


class FlakyBackend(locmem.EmailBackend):
    """Locmem, until `fail_after` messages have gone out; then the server is away."""

    fail_after = None

    def send_messages(self, messages):
        if FlakyBackend.fail_after is not None and len(mail.outbox) >= FlakyBackend.fail_after:
            raise ConnectionError("the mail server went away")
        return super().send_messages(messages)


@pytest.fixture
def send_screen(client, admin, program):
    client.force_login(admin)
    return reverse("newsletter_send", args=[issue_of(program).pk])


def test_subscribe_confirm_send_and_unsubscribe_in_one_click(
    client, program, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, program, "reader@example.org")
    client.post(path_of(link_in(mail.outbox[0], "confirm")))
    mail.outbox.clear()

    client.force_login(admin)
    screen = reverse("newsletter_send", args=[issue_of(program).pk])
    assert "1 confirmed subscriber" in client.get(screen).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(screen, {"action": "send"})
    response = client.get(screen)
    assert "Sending to 1 subscribers has started" in response.content.decode()
    assert "1 of 1 sent, 0 failed, 0 waiting" in response.content.decode()

    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    unsubscribe_url = link_in(message, "u")
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert unsubscribe_url in html
    assert "<style" not in html and 'style="' in html  # CSS inlined
    assert "Welcome to peer support" in message.body and "<p>" not in message.body
    # Crisis lines at the foot of both parts, after the content.
    crisis = issue_of(program).get_program_page().program.help_resource_list()[0].name
    for part in (message.body, html):
        assert part.index("If you need help now") > part.index("Our peer support program")
        assert crisis in part

    # A mail client's one-click post: no cookie, no CSRF token, just the RFC 8058 body.
    anonymous = client.__class__(enforce_csrf_checks=True)
    page = anonymous.get(path_of(unsubscribe_url))
    assert "Unsubscribe" in page.content.decode() and not page.cookies
    done = anonymous.post(
        path_of(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not done.cookies
    assert not Subscriber.objects.exists()
    # Twice is harmless, and the delivery record keeps no link to the address.
    assert anonymous.post(path_of(unsubscribe_url)).status_code == 200
    assert Delivery.objects.get().subscriber is None


def test_a_thousand_subscribers_an_interrupted_send_resumes_without_duplicates_or_misses(
    settings, program, admin, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    emails = [f"reader-{n}@example.org" for n in range(1000)]
    make_confirmed(program, emails)
    issue = issue_of(program)
    FlakyBackend.fail_after = 437
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.issue_send(issue=issue, actor=admin) == 1000
        assert len(mail.outbox) == 437
        progress = services.issue_progress(issue=issue)
        assert (progress["sent"], progress["pending"]) == (437, 563)
    finally:
        FlakyBackend.fail_after = None  # the server is back; the worker restarts
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_send_resume(issue=issue, actor=admin) == 563
    counts = Counter(recipients())
    assert set(counts) == set(emails)
    assert set(counts.values()) == {1}
    assert services.issue_progress(issue=issue)["sent"] == 1000
    # Every message carries its own subscriber's unsubscribe link.
    links = {re.search(r"/newsletter/u/([^/]+)/", m.body).group(1) for m in mail.outbox}
    assert len(links) == 1000


def test_sending_twice_or_to_nobody_is_refused_with_a_clear_message(
    client, send_screen, program, django_capture_on_commit_callbacks
):
    refused = client.post(send_screen, {"action": "send"}, follow=True)
    assert "Nobody has confirmed a subscription yet" in refused.content.decode()
    assert not Delivery.objects.exists()

    make_confirmed(program, ["one@example.org"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_screen, {"action": "send"})
    again = client.post(send_screen, {"action": "send"}, follow=True)
    assert "already been sent" in again.content.decode()
    assert recipients() == ["one@example.org"]


def test_another_programs_subscribers_never_get_this_programs_issue(
    program, other_program, admin, django_capture_on_commit_callbacks
):
    make_confirmed(program, ["ours@example.org"])
    make_confirmed(other_program, ["theirs@example.org"])
    # The same address in both programs is two subscriptions; each gets its own issue only.
    make_confirmed(other_program, ["ours@example.org"])
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send(issue=issue_of(program), actor=admin)
    assert recipients() == ["ours@example.org"]
    assert f"/p/{program.slug}/newsletter/u/" in mail.outbox[0].body


def test_unconfirmed_addresses_get_no_issue(program, admin, django_capture_on_commit_callbacks):
    make_confirmed(program, ["ours@example.org"])
    Subscriber.objects.create(
        program=program,
        email="waiting@example.org",
        email_digest="x" * 64,
        unsubscribe_token="t",
        unsubscribe_digest="y" * 64,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send(issue=issue_of(program), actor=admin)
    assert recipients() == ["ours@example.org"]


def test_send_test_to_me_goes_only_to_the_sender(
    client, send_screen, admin, program, django_capture_on_commit_callbacks
):
    make_confirmed(program, ["reader@example.org"])
    response = client.post(send_screen, {"action": "test"}, follow=True)
    assert f"A test was sent to {admin.email}" in response.content.decode()
    assert recipients() == [admin.email]
    assert mail.outbox[0].subject.startswith("[Test]")
    assert not Delivery.objects.exists()


def test_only_the_programs_senders_may_send_and_editors_see_only_the_count(
    client, program, other_program_admin, coordinator
):
    make_confirmed(program, ["reader@example.org"])
    screen = reverse("newsletter_send", args=[issue_of(program).pk])
    editor = make_member(program, Role.EDITOR, email="writer@example.org")
    client.force_login(editor)
    page = client.get(screen).content.decode()
    assert "1 confirmed subscriber" in page
    assert "reader@example.org" not in page
    assert "Send to subscribers" not in page
    assert client.post(screen, {"action": "send"}).status_code in (302, 403)
    for outsider in (other_program_admin, coordinator):
        client.force_login(outsider)
        assert client.get(screen).status_code in (302, 403, 404)
        assert client.post(screen, {"action": "send"}).status_code in (302, 403, 404)
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_batch_sends_at_most_its_size_and_someone_who_left_meanwhile_is_skipped(
    program, admin, django_capture_on_commit_callbacks
):
    make_confirmed(program, [f"reader-{n}@example.org" for n in range(5)])
    issue = issue_of(program)
    with django_capture_on_commit_callbacks(execute=False):
        services.issue_send(issue=issue, actor=admin)  # queued, no worker yet
    leaving = Delivery.objects.filter(issue=issue).order_by("pk").first().subscriber
    services.subscriber_unsubscribe(program=program, token=leaving.unsubscribe_token)
    assert services.deliver_batch.call(issue_id=issue.pk, batch_size=3) == 2
    assert services.issue_progress(issue=issue) == {
        "total": 5,
        "sent": 2,
        "failed": 0,
        "pending": 2,
        "skipped": 1,
    }
    assert services.deliver_batch.call(issue_id=issue.pk, batch_size=3) == 2
    assert services.issue_progress(issue=issue)["pending"] == 0
    assert leaving.email not in recipients()
    assert len(recipients()) == 4


class RefusingBackend(locmem.EmailBackend):
    """Locmem, but the mail server refuses one address."""

    refused = "gone@example.org"

    def send_messages(self, messages):
        from smtplib import SMTPRecipientsRefused

        for message in messages:
            if self.refused in message.to:
                raise SMTPRecipientsRefused({self.refused: (550, b"no such user")})
        return super().send_messages(messages)


def test_an_address_refused_three_times_is_paused_until_it_subscribes_again(
    program, admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.newsletter.test_sending.RefusingBackend"
    make_confirmed(program, ["gone@example.org", "here@example.org"])
    issue = issue_of(program)
    gone_digest = _digest(program, "gone@example.org")
    for _attempt in range(Subscriber.PAUSE_AFTER_FAILURES):
        Delivery.objects.filter(issue=issue).delete()  # the same issue stands in for the next
        with django_capture_on_commit_callbacks(execute=True):
            assert services.issue_send(issue=issue, actor=admin) == 2
        failed = Delivery.objects.get(issue=issue, subscriber__email_digest=gone_digest)
        assert failed.status == Delivery.Status.FAILED
    gone = Subscriber.objects.get(email_digest=gone_digest)
    assert gone.failures == 3 and gone.paused_at is not None
    assert services.confirmed_count(program=program) == 1

    Delivery.objects.filter(issue=issue).delete()
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_send(issue=issue, actor=admin) == 1  # paused: not sent to
    assert recipients() == ["here@example.org"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # mended
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(program=program, email="gone@example.org")
    gone.refresh_from_db()
    assert gone.paused_at is None and gone.confirmed_at is None  # asked to confirm anew
    assert mail.outbox[-1].to == ["gone@example.org"]


def _digest(program, email):
    return services._email_digest(program, email)
