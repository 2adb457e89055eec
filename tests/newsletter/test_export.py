"""The subscriber export: for those who may send the program's newsletter only, every cell
neutralised against formula injection, and each export in the program's audit trail."""

import csv
import io

import pytest
from django.urls import reverse

from newsletter.models import Subscriber
from programs.models import AuditEntry, Role
from tests.factories import make_member

from .helpers import issue_of, make_confirmed

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "=cmd@example.org",
    "+sum@example.org",
    "-minus@example.org",
    "@at@example.org",
    "\tTab@example.org",
    "\rcr@example.org",
    '=HYPERLINK("http://evil.example")@example.org',
]


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_an_admin_exports_the_list_with_every_formula_neutralised_and_it_is_audited(
    client, program, admin
):
    make_confirmed(program, ["reader@example.org", *PAYLOADS])
    client.force_login(admin)
    response = client.post(reverse("newsletter_export", args=[program.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header == ["email", "status", "subscribed_at", "confirmed_at"]
    emails = [row[0] for row in rows]
    assert "reader@example.org" in emails
    for payload in PAYLOADS:
        assert "'" + payload in emails
    for cell in (c for row in rows for c in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    (entry,) = AuditEntry.objects.filter(program=program, action=AuditEntry.Action.EXPORT)
    assert entry.actor == admin and entry.data == {"rows": len(PAYLOADS) + 1}
    assert "reader" not in str(entry.data) + entry.target


def test_the_send_screen_offers_the_export_only_to_senders(client, program, admin):
    screen = reverse("newsletter_send", args=[issue_of(program).pk])
    client.force_login(admin)
    assert "Export subscribers (CSV)" in client.get(screen).content.decode()
    editor = make_member(program, Role.EDITOR, email="writer@example.org")
    client.force_login(editor)
    assert "Export subscribers (CSV)" not in client.get(screen).content.decode()


def test_editors_other_programs_and_a_get_get_no_addresses(
    client, program, other_program_admin, coordinator
):
    make_confirmed(program, ["reader@example.org"])
    url = reverse("newsletter_export", args=[program.pk])
    editor = make_member(program, Role.EDITOR, email="writer@example.org")
    for who in (editor, other_program_admin, coordinator):
        client.force_login(who)
        response = client.post(url)
        assert response.status_code in (302, 403, 404)
        assert b"reader@example.org" not in response.content
    assert client.get(url).status_code in (302, 403, 404, 405)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()
    assert Subscriber.objects.count() == 1
