"""An email belongs to one account: it decides who receives an invitation."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()
migration = importlib.import_module("programs.migrations.0007_accounts")


def test_staff_cannot_change_their_own_email_in_the_admin(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("wagtailadmin_account"))
    assert page.status_code == 200
    assert b"id_name_email-email" not in page.content
    client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-first_name": "Co",
            "name_email-last_name": "Ordinator",
            "name_email-email": "x@b.example",
            "locale-preferred_language": "en",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "theme-keyboard_shortcuts": "on",
        },
    )
    coordinator.refresh_from_db()
    assert coordinator.email == "coordinator@example.org"


def test_two_accounts_cannot_share_an_email_in_any_case(coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="second", email="Coordinator@Example.org")


def test_accounts_without_an_email_are_not_caught_by_the_rule(db):
    User.objects.create(username="ops1", email="")
    User.objects.create(username="ops2", email="")
    assert User.objects.filter(email="").count() == 2


class RawEditor:
    """Just what the migration's functions use, without SQLite's schema-editor checks."""

    def __init__(self):
        self.quote_name = connection.ops.quote_name

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_refuses_to_run_on_shared_emails_and_names_them(db):
    editor = RawEditor()
    migration.drop_index(apps, editor)
    User.objects.create(username="one", email="same@example.org")
    twin = User.objects.create(username="two", email="SAME@example.org")
    with pytest.raises(RuntimeError, match="same@example.org") as caught:
        migration.refuse_duplicate_emails(apps, editor)
    assert str(twin.pk) in str(caught.value)
    assert "Nothing was changed" in str(caught.value)
    twin.delete()
    migration.refuse_duplicate_emails(apps, editor)  # one left: it runs
    # The test's transaction is rolled back, and with it the dropped index (DDL is
    # transactional in SQLite and PostgreSQL).


def test_wagtails_user_screens_refuse_an_email_another_account_has(client, coordinator, admin):
    boss = User.objects.create_superuser("ops", "ops@example.org", "a long operator password")
    client.force_login(boss)
    edit = client.post(
        reverse("wagtailusers_users:edit", args=[admin.pk]),
        {
            "username": admin.username,
            "email": "COORDINATOR@example.org",
            "first_name": "H",
            "last_name": "R",
            "is_active": "on",
        },
    )
    assert edit.status_code == 200
    assert "Another account already uses this email address." in edit.content.decode()
    admin.refresh_from_db()
    assert admin.email == "hr-admin@example.org"
    add = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "newcomer",
            "email": "Coordinator@Example.org",
            "first_name": "New",
            "last_name": "Comer",
            "password1": "a long enough password 42",
            "password2": "a long enough password 42",
        },
    )
    assert add.status_code == 200
    assert "Another account already uses this email address." in add.content.decode()
    assert not User.objects.filter(username="newcomer").exists()
