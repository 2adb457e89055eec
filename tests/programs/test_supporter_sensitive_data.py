"""A supporter's lived experience and gender (health-related, special-category data) are
for the coordinators who match requests and the supporter themself, never for HR admins:
not on the Wagtail roster screens, not in the roster CSV, not from the roster API."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import Role, SupporterProfile, Topic
from tests.api.conftest import client_for
from tests.factories import make_active_supporter, make_member

pytestmark = pytest.mark.django_db

GENDER = "Two-spirit (self-described) G-5521"
TOPIC_NAME = "Moral injury T-8840"
TOPIC_SLUG = "moral-injury-t8840"


@pytest.fixture
def sensitive_profile(program):
    Topic.objects.create(slug=TOPIC_SLUG, name=TOPIC_NAME)
    return make_active_supporter(
        program, email="lived@example.org", topics=[TOPIC_SLUG], gender=GENDER
    )


@pytest.fixture
def staff(program, admin, coordinator):
    return {"admin": admin, "coordinator": coordinator}


def shows_sensitive(text: str) -> bool:
    return GENDER in text or TOPIC_NAME in text or TOPIC_SLUG in text


# ---------------------------------------------------------------- the API


def test_roster_api_gives_lived_experience_to_coordinators_and_not_to_admins(
    program, staff, sensitive_profile
):
    slug = program.slug
    routes = [
        ("get", f"/api/v1/programs/{slug}/roster/", None),
        ("get", f"/api/v1/programs/{slug}/roster/{sensitive_profile.pk}/", None),
        (
            "patch",
            f"/api/v1/programs/{slug}/roster/{sensitive_profile.pk}/",
            {"status": "active"},
        ),
        (
            "patch",
            f"/api/v1/programs/{slug}/roster/",
            {"id": sensitive_profile.pk, "status": "active"},
        ),
        ("post", f"/api/v1/programs/{slug}/roster/", {"email": "lived@example.org"}),
    ]
    for method, url, body in routes:
        admin_response = getattr(client_for(staff["admin"]), method)(url, body)
        coordinator_response = getattr(client_for(staff["coordinator"]), method)(url, body)
        assert admin_response.status_code == coordinator_response.status_code == 200, url
        assert not shows_sensitive(admin_response.content.decode()), (method, url)
        assert shows_sensitive(coordinator_response.content.decode()), (method, url)

    admin_rows = client_for(staff["admin"]).get(f"/api/v1/programs/{slug}/roster/").json()
    assert {row["lived_experience"] for row in admin_rows} == {None}
    entry = client_for(staff["coordinator"]).get(f"/api/v1/programs/{slug}/roster/").json()
    mine = next(row for row in entry if row["email"] == "lived@example.org")
    assert mine["lived_experience"] == [TOPIC_SLUG]


def test_an_admin_who_is_also_on_the_roster_sees_their_own_lived_experience(
    program, sensitive_profile
):
    make_member(program, Role.ADMIN, email="lived@example.org")
    rows = client_for(sensitive_profile.user).get(f"/api/v1/programs/{program.slug}/roster/")
    mine = next(row for row in rows.json() if row["email"] == "lived@example.org")
    assert mine["lived_experience"] == [TOPIC_SLUG]


# ---------------------------------------------------------------- the Wagtail admin


def test_the_roster_screens_show_lived_experience_and_gender_to_coordinators_only(
    client, staff, sensitive_profile
):
    edit = reverse("roster:edit", args=[sensitive_profile.pk])
    for role, user in staff.items():
        client.force_login(user)
        index = client.get(reverse("roster:index"))
        page = client.get(edit)
        assert index.status_code == page.status_code == 200
        assert not shows_sensitive(index.content.decode())
        assert shows_sensitive(page.content.decode()) is (role == "coordinator"), role
        assert ('name="lived_experience"' in page.content.decode()) is (role == "coordinator")


def test_an_admin_saving_a_roster_entry_keeps_what_they_cannot_see(
    client, admin, sensitive_profile
):
    client.force_login(admin)
    response = client.post(
        reverse("roster:edit", args=[sensitive_profile.pk]),
        {"display_name": "Renamed", "availability": "evenings", "offers_messages": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sensitive_profile.refresh_from_db()
    assert sensitive_profile.display_name == "Renamed"
    assert sensitive_profile.gender == GENDER
    assert [t.slug for t in sensitive_profile.lived_experience.all()] == [TOPIC_SLUG]


# ---------------------------------------------------------------- the CSV export and import


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_roster_export_has_lived_experience_and_gender_for_coordinators_only(
    client, program, staff, sensitive_profile
):
    url = reverse("roster_csv:export", args=[program.pk])
    client.force_login(staff["admin"])
    admin_csv = client.get(url).content.decode()
    client.force_login(staff["coordinator"])
    coordinator_csv = client.get(url).content.decode()
    assert not shows_sensitive(admin_csv)
    assert "lived_experience" not in admin_csv and "gender" not in admin_csv
    row = next(r for r in rows_of(coordinator_csv) if r["email"] == "lived@example.org")
    assert row["lived_experience"] == TOPIC_SLUG and row["gender"] == GENDER


def test_the_export_command_as_an_admin_leaves_them_out(program, admin, sensitive_profile):
    out = io.StringIO()
    call_command("roster_csv", "export", program.slug, "--actor", admin.email, stdout=out)
    assert "lived@example.org" in out.getvalue()
    assert not shows_sensitive(out.getvalue())


def test_an_admin_cannot_import_lived_experience_or_gender(client, program, admin, coordinator):
    csv_text = f"email,gender,lived_experience\nnew@example.org,x,{TOPIC_SLUG}\n"
    Topic.objects.create(slug=TOPIC_SLUG, name=TOPIC_NAME)
    client.force_login(admin)
    refused = client.post(
        reverse("roster_csv:import"), {"program": program.pk, "csv_text": csv_text}
    )
    assert not refused.context["report"].ok
    assert "Only coordinators may set lived_experience, gender" in refused.content.decode()
    assert not SupporterProfile.objects.filter(user__email="new@example.org").exists()
    client.force_login(coordinator)
    done = client.post(reverse("roster_csv:import"), {"program": program.pk, "csv_text": csv_text})
    assert done.context["report"].ok
    profile = SupporterProfile.objects.get(user__email="new@example.org")
    assert profile.gender == "x"
