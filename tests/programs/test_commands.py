"""The turnkey commands: bootstrap_program, add_member and roster_csv."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.models import (
    ArticleIndexPage,
    NewsletterIndexPage,
    NewsletterIssuePage,
    ProgramPage,
    ResourceIndexPage,
)
from programs import permissions
from programs.blueprints import BLUEPRINTS
from programs.models import (
    HelpResource,
    Membership,
    Organisation,
    Program,
    SupporterProfile,
    TrainingRequirement,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        Organisation,
        Program,
        HelpResource,
        TrainingRequirement,
        Membership,
        User,
        Group,
        ProgramPage,
        NewsletterIssuePage,
    ]
    return {m.__name__: m.objects.count() for m in models}


def manage(*args, tmp_path: Path) -> subprocess.CompletedProcess:
    """manage.py in a child process, as a person would run it, on a scratch database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "toolkit.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}",
    }
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("template", sorted(BLUEPRINTS))
def test_bootstrap_program_sets_up_each_template_completely(template):
    output = run(
        "bootstrap_program",
        "--template",
        template,
        "--name",
        "Pilot Program",
        "--slug",
        f"pilot-{template}",
        "--admin-email",
        "Lead@Example.org",
    )
    program = Program.objects.get(slug=f"pilot-{template}")
    blueprint = BLUEPRINTS[template]
    assert program.kind == blueprint.kind
    assert program.training_requirements.count() == len(blueprint.training)
    assert [line.phone for line in program.crisis_lines()] == ["911", "988"]
    assert set(program.topics.values_list("slug", flat=True)) == set(blueprint.topics)
    lead = User.objects.get(email="lead@example.org")
    assert permissions.user_can(lead, permissions.ADMINISTER, program)
    assert not lead.is_superuser and not lead.has_usable_password()
    page = ProgramPage.objects.get(program=program)
    for index in (ArticleIndexPage, ResourceIndexPage, NewsletterIndexPage):
        assert index.objects.child_of(page).exists(), index
    assert NewsletterIssuePage.objects.descendant_of(page).count() == 1
    assert page.permissions_for_user(lead).can_edit()
    assert "is ready" in output and "invitation to choose a password was emailed" in output


def test_bootstrap_program_again_with_the_same_arguments_changes_nothing():
    args = [
        "bootstrap_program",
        "--template",
        "workplace",
        "--name",
        "Harbour Office",
        "--slug",
        "harbour",
        "--admin-email",
        "lead@harbour.example.org",
    ]
    run(*args)
    before = row_counts()
    output = run(*args)
    assert "nothing changed" in output
    assert row_counts() == before


def test_bootstrap_program_refuses_a_slug_taken_by_another_organisation(program):
    before = row_counts()
    with pytest.raises(CommandError) as error:
        call_command(
            "bootstrap_program",
            "--template",
            "first-responder",
            "--name",
            "Another Fire Service",
            "--slug",
            program.slug,
            "--admin-email",
            "chief@another.example.org",
            stdout=StringIO(),
        )
    message = str(error.value)
    assert "already used by another organisation" in message and "\n" not in message
    assert row_counts() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--template", "hospital"], "Unknown template 'hospital'"),
        (["--template", "workplace", "--admin-email", "not-an-email"], "valid email"),
    ],
)
def test_bootstrap_program_bad_input_is_one_line_and_no_traceback(args, expected, tmp_path):
    base = {"--name": "Pilot", "--slug": "pilot", "--admin-email": "lead@example.org"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = [item for key, value in {**base, **given}.items() for item in (key, value)]
    result = manage("bootstrap_program", *argv, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_add_member_gives_a_new_person_the_role_and_emails_an_invitation(program):
    output = run("add_member", program.slug, "New.Coordinator@example.org", "--role", "coordinator")
    person = User.objects.get(email="new.coordinator@example.org")
    assert permissions.user_can(person, permissions.TRIAGE, program)
    assert "invitation to choose a password was emailed" in output
    assert "/accounts/" not in output
    output = run("add_member", program.slug, "new.coordinator@example.org", "--role", "coordinator")
    assert "nothing changed" in output


def test_add_member_supporter_joins_the_roster(program):
    run("add_member", program.slug, "peer@example.org", "--role", "supporter")
    profile = SupporterProfile.objects.get(user__email="peer@example.org", program=program)
    assert profile.status == SupporterProfile.Status.APPLICANT


def test_add_member_to_an_unknown_program_fails_clearly_and_creates_nobody(db):
    with pytest.raises(CommandError, match="No program with the slug 'nowhere'"):
        call_command("add_member", "nowhere", "x@example.org", "--role", "admin")
    assert not User.objects.filter(email="x@example.org").exists()


def test_add_member_with_an_unknown_role_fails_in_one_line_and_no_traceback(tmp_path):
    result = manage("add_member", "city-fire", "x@example.org", "--role", "boss", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "Unknown role 'boss'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_roster_csv_command_exports_and_imports_with_a_dry_run(program, coordinator, tmp_path):
    target = tmp_path / "roster.csv"
    run("roster_csv", "export", program.slug, "--output", str(target))
    assert target.read_text().startswith("email,display_name,status")
    target.write_text("email,display_name,status\nnew.peer@example.org,Robin,in_training\n")
    output = run(
        "roster_csv", "import", program.slug, str(target), "--actor", coordinator.email, "--dry-run"
    )
    assert "dry run" in output.lower()
    assert not User.objects.filter(email="new.peer@example.org").exists()
    run("roster_csv", "import", program.slug, str(target), "--actor", coordinator.email)
    profile = SupporterProfile.objects.get(user__email="new.peer@example.org", program=program)
    assert profile.status == "in_training"
    assert profile.status_changes.get().decided_by == coordinator


def test_roster_csv_command_refuses_someone_without_the_roster_role(program, supporter, tmp_path):
    target = tmp_path / "roster.csv"
    target.write_text("email\nnew.peer@example.org\n")
    with pytest.raises(CommandError, match="may not"):
        call_command("roster_csv", "import", program.slug, str(target), "--actor", supporter.email)
    with pytest.raises(CommandError, match="may not"):
        call_command("roster_csv", "export", program.slug, "--actor", supporter.email)


def test_roster_csv_command_reports_bad_rows_and_saves_nothing(program, coordinator, tmp_path):
    target = tmp_path / "roster.csv"
    target.write_text("email,status\nok@example.org,active\nbroken,active\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "roster_csv",
            "import",
            program.slug,
            str(target),
            "--actor",
            coordinator.email,
            stdout=StringIO(),
        )
    assert not User.objects.filter(email="ok@example.org").exists()
