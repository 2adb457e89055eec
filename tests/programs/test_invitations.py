"""Invitations belong to the program and membership that issued them, and go by email."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from programs import permissions
from programs.models import Invitation, Membership, Role
from programs.services import members, roster_csv

pytestmark = pytest.mark.django_db
User = get_user_model()

LINK = re.compile(r"https?://[^\s]+/accounts/invitation/[^\s/]+/")


def add_person(client, actor, program, email, role, capture):
    client.force_login(actor)
    with capture(execute=True):
        response = client.post(
            reverse("people:add"), {"program": program.pk, "email": email, "role": role}
        )
    client.logout()
    return response


def links_in(mails, to):
    return [m for mail in mails if to in mail.to for m in LINK.findall(mail.body)]


def set_password(client, link, password="a long new password 123"):
    client.get(link)
    return client.post(
        reverse("invitation_accept", args=["set-password"]),
        {"new_password1": password, "new_password2": password},
    )


def test_another_programs_admin_adding_a_waiting_account_gets_no_credential(
    client,
    admin,
    program,
    other_program,
    other_program_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    add_person(client, other_program_admin, other_program, "x@b.example", Role.COORDINATOR, capture)
    b_links = links_in(mailoutbox, "x@b.example")
    assert len(b_links) == 1
    mailoutbox.clear()

    response = add_person(client, admin, program, "X@B.example", Role.SUPPORTER, capture)

    page = response.content.decode()
    assert "/accounts/invitation/" not in page and "/accounts/reset/" not in page
    assert "told of the new role by email" in page
    assert links_in(mailoutbox, "x@b.example") == []  # a notice, not a credential
    assert [m.to for m in mailoutbox] == [["x@b.example"]]
    assert "role" in mailoutbox[0].body.lower()
    person = User.objects.get(email="x@b.example")
    assert not person.has_usable_password()
    # B's own invitation still works, for its owner only.
    assert set_password(client, b_links[0]).status_code == 200
    person.refresh_from_db()
    assert person.check_password("a long new password 123")


def test_a_new_person_is_emailed_a_one_time_link_that_is_not_shown_on_screen(
    client, admin, program, mailoutbox, django_capture_on_commit_callbacks
):
    response = add_person(
        client,
        admin,
        program,
        "New.Person@Example.org",
        Role.COORDINATOR,
        django_capture_on_commit_callbacks,
    )
    page = response.content.decode()
    assert "emailed to new.person@example.org" in page
    assert "/accounts/invitation/" not in page
    [link] = links_in(mailoutbox, "new.person@example.org")
    person = User.objects.get(email="new.person@example.org")
    assert permissions.user_can(person, permissions.TRIAGE, program)

    assert b"Your password is set" in set_password(client, link).content
    person.refresh_from_db()
    assert person.check_password("a long new password 123")
    again = set_password(client, link, "another long password 456")
    assert again.status_code == 404
    person.refresh_from_db()
    assert person.check_password("a long new password 123")


def test_only_a_hash_of_the_link_is_stored(
    client, admin, program, mailoutbox, django_capture_on_commit_callbacks
):
    add_person(
        client, admin, program, "p@example.org", Role.SUPPORTER, django_capture_on_commit_callbacks
    )
    [link] = links_in(mailoutbox, "p@example.org")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get(user__email="p@example.org")
    assert token not in invitation.token_hash
    assert invitation.program == program
    assert invitation.membership.role == Role.SUPPORTER


def test_an_invitation_expires_after_seven_days(
    client, admin, program, mailoutbox, django_capture_on_commit_callbacks
):
    add_person(
        client,
        admin,
        program,
        "late@example.org",
        Role.SUPPORTER,
        django_capture_on_commit_callbacks,
    )
    [link] = links_in(mailoutbox, "late@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert set_password(client, link).status_code == 404
    assert not User.objects.get(email="late@example.org").has_usable_password()


def test_an_invitation_dies_with_the_role_it_was_issued_for(
    client, admin, program, mailoutbox, django_capture_on_commit_callbacks
):
    add_person(
        client,
        admin,
        program,
        "gone@example.org",
        Role.COORDINATOR,
        django_capture_on_commit_callbacks,
    )
    [link] = links_in(mailoutbox, "gone@example.org")
    members.membership_revoke(membership=Membership.objects.get(user__email="gone@example.org"))
    assert set_password(client, link).status_code == 404


def test_adding_a_waiting_person_again_sends_a_new_link_and_the_old_one_stops(
    client, admin, program, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    add_person(client, admin, program, "again@example.org", Role.SUPPORTER, capture)
    add_person(client, admin, program, "again@example.org", Role.SUPPORTER, capture)
    first, second = links_in(mailoutbox, "again@example.org")
    assert set_password(client, first).status_code == 404
    assert set_password(client, second).status_code == 200


def test_a_person_with_a_password_gets_a_notice_and_no_link(
    client, admin, program, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    response = add_person(
        client, admin, program, outsider.email, Role.SUPPORTER, django_capture_on_commit_callbacks
    )
    assert "/accounts/" not in response.content.decode()
    assert links_in(mailoutbox, outsider.email) == []
    assert len(mailoutbox) == 1


def test_supporters_imported_by_csv_get_the_same_invitation(
    coordinator, program, mailoutbox, django_capture_on_commit_callbacks
):
    csv_text = "email,display_name\nnew.peer@example.org,New Peer\n"
    with django_capture_on_commit_callbacks(execute=True):
        report = roster_csv.roster_import(
            program=program, actor=coordinator, csv_text=csv_text, dry_run=False
        )
    assert report.ok, report
    assert len(links_in(mailoutbox, "new.peer@example.org")) == 1
    assert Invitation.objects.get(user__email="new.peer@example.org").program == program


def test_a_csv_dry_run_sends_no_invitation(
    coordinator, program, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        roster_csv.roster_import(
            program=program,
            actor=coordinator,
            csv_text="email\ndry@example.org\n",
            dry_run=True,
        )
    assert mailoutbox == []


def test_a_coordinator_adding_another_programs_waiting_supporter_sends_no_link(
    coordinator,
    program,
    other_program,
    other_program_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        members.member_add(
            program=other_program,
            email="w@example.org",
            role=Role.COORDINATOR,
            actor=other_program_admin,
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        members.supporter_add(program=program, email="w@example.org", actor=coordinator)
    assert links_in(mailoutbox, "w@example.org") == []
    assert len(mailoutbox) == 1  # the notice
