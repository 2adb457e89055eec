"""Staff see how many subscribe, never who; the issue's editor screen links the send screen."""

import pytest
from django.urls import reverse

from newsletter.models import Subscriber

from .helpers import issue_of, make_confirmed

pytestmark = pytest.mark.django_db


def test_the_hr_report_shows_the_confirmed_count_and_no_address(client, program, admin):
    make_confirmed(program, ["first@example.org", "second@example.org"])
    Subscriber.objects.create(
        program=program,
        email="waiting@example.org",
        email_digest="w" * 64,
        unsubscribe_token="t",
        unsubscribe_digest="u" * 64,
    )
    client.force_login(admin)
    page = client.get(reverse("programs:reports", args=[program.slug])).content.decode()
    assert "2 confirmed subscribers." in page
    assert "@example.org" not in page.replace(admin.email, "")


def test_the_issue_edit_screen_has_a_send_button_for_the_programs_admin(
    client, program, admin, other_program_admin
):
    issue = issue_of(program)
    send_url = reverse("newsletter_send", args=[issue.pk])
    client.force_login(admin)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk]))
    assert edit.status_code == 200
    assert send_url in edit.content.decode()
    index = issue.get_parent()
    assert (
        "/newsletter/issues/"
        not in client.get(reverse("wagtailadmin_pages:edit", args=[index.pk])).content.decode()
    )
