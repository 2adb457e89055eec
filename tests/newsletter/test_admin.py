"""Staff see how many subscribe, never who; the issue's editor screen links the send screen."""

import pytest
from django.urls import reverse

from newsletter.models import Subscriber

from .helpers import issue_of, make_confirmed

pytestmark = pytest.mark.django_db


def test_the_hr_report_shows_the_confirmed_count_and_no_address(client, program, admin):
    k = program.report_threshold
    make_confirmed(program, [f"reader{i}@example.org" for i in range(k)])
    Subscriber.objects.create(
        program=program,
        email="waiting@example.org",
        email_digest="w" * 64,
        unsubscribe_token="t",
        unsubscribe_digest="u" * 64,
    )
    client.force_login(admin)
    page = client.get(reverse("programs:reports", args=[program.slug])).content.decode()
    assert f'<th scope="row">Newsletter subscribers</th><td>{k}</td>' in page
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


def test_the_issue_can_be_previewed_as_the_email_from_its_latest_draft(client, admin, program):
    from django.urls import reverse

    from .helpers import issue_of

    issue = issue_of(program)
    draft = issue.get_latest_revision_as_object()
    draft.title = "A draft title nobody has received"
    draft.save_revision()
    client.force_login(admin)
    url = reverse("newsletter_preview", args=[issue.pk])
    html = client.get(url).content.decode()
    assert "A draft title nobody has received" in html
    assert 'style="' in html  # the CSS is inlined, as sent
    text = client.get(url, {"part": "text"})
    assert text["Content-Type"].startswith("text/plain")
    assert "A draft title nobody has received" in text.content.decode()


def test_another_programs_admin_cannot_preview_the_issue(client, program, other_program):
    from django.urls import reverse

    from programs.models import Role
    from tests.factories import make_member

    from .helpers import issue_of

    outsider = make_member(other_program, Role.ADMIN, email="other-admin-preview@example.org")
    client.force_login(outsider)
    response = client.get(reverse("newsletter_preview", args=[issue_of(program).pk]))
    assert response.status_code in (302, 404)
    assert "unsubscribe" not in response.content.decode().lower()
