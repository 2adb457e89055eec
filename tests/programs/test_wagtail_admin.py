"""The Wagtail admin for program staff: who gets in, what they see, and what their edits do."""

from datetime import timedelta

import pytest
from django.contrib import admin as django_admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from cms.models import ProgramPage
from programs import permissions
from programs.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseNote,
    HelpResource,
    Language,
    Membership,
    Message,
    Program,
    Referral,
    Role,
    SupporterProfile,
    SupporterStatusChange,
    TrainingCompletion,
    Unit,
)
from tests.factories import make_active_supporter, make_member

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LIST_VIEWS = [
    "program_settings:index",
    "people:index",
    "roster:index",
    "training:index",
    "roster_csv:index",
]
# Who may open each list view at all (other_program_admin opens it for their own program).
ALLOWED = {
    "program_settings:index": {"admin", "other_program_admin"},
    "people:index": {"admin", "other_program_admin"},
    "roster:index": {"admin", "coordinator", "other_program_admin"},
    "training:index": {"admin", "coordinator", "other_program_admin"},
    "roster_csv:index": {"admin", "coordinator", "other_program_admin"},
}


def refused(response) -> bool:
    """Wagtail sends people without admin access to log in, and others back to the dashboard."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and (
        response["Location"].startswith(reverse("login")) or response["Location"] == "/admin/"
    )


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def cast(everyone, editor):
    return {**everyone, "editor": editor}


@pytest.fixture
def profile(supporter, program):
    return SupporterProfile.objects.get(user=supporter, program=program)


@pytest.fixture
def other_profile(other_program):
    return make_active_supporter(other_program, email="river-supporter@example.org")


def test_each_admin_list_is_open_only_to_the_roles_that_use_it(client, cast):
    for view in LIST_VIEWS:
        for name, user in cast.items():
            response = as_user(client, user).get(reverse(view))
            if name in ALLOWED[view]:
                assert response.status_code == 200, (view, name)
            else:
                assert refused(response), (view, name, response.status_code)


def test_admin_lists_never_show_another_programs_objects(
    client, admin, coordinator, profile, other_program_admin, other_profile, program, other_program
):
    river_member = other_profile.user.email
    for view in LIST_VIEWS:
        page = as_user(client, admin).get(reverse(view)).content.decode()
        assert other_program.name not in page, view
        assert river_member not in page, view
    for view in ["roster:index", "training:index", "roster_csv:index"]:
        page = as_user(client, coordinator).get(reverse(view)).content.decode()
        assert other_program.name not in page, view
    people = as_user(client, other_program_admin).get(reverse("people:index")).content.decode()
    assert river_member in people
    assert coordinator.email not in people and program.name not in people
    roster = as_user(client, admin).get(reverse("roster:index")).content.decode()
    assert profile.user.email in roster


def test_another_programs_objects_are_not_found_by_address(
    client, admin, coordinator, other_program, other_profile, other_program_admin
):
    membership = Membership.objects.get(user=other_program_admin)
    addresses = [
        reverse("program_settings:edit", args=[other_program.pk]),
        reverse("program_settings:history", args=[other_program.pk]),
        reverse("people:delete", args=[membership.pk]),
        reverse("roster:edit", args=[other_profile.pk]),
        reverse("roster:history", args=[other_profile.pk]),
        reverse("roster_csv:export", args=[other_program.pk]),
    ]
    for user in (admin, coordinator):
        for address in addresses:
            response = as_user(client, user).get(address)
            assert response.status_code in (302, 404), (user.email, address)
            assert response.status_code == 404 or refused(response)
    as_user(client, admin).post(reverse("people:delete", args=[membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_menu_shows_each_person_only_the_admin_areas_they_may_use(client, admin, coordinator):
    dashboard = as_user(client, admin).get(reverse("wagtailadmin_home")).content.decode()
    assert "/admin/program_settings/" in dashboard and "/admin/people/" in dashboard
    dashboard = as_user(client, coordinator).get(reverse("wagtailadmin_home")).content.decode()
    assert "/admin/roster/" in dashboard and "/admin/training/" in dashboard
    assert "/admin/program_settings/" not in dashboard and "/admin/people/" not in dashboard


# Program settings -----------------------------------------------------------------------


def _program_form(client, program):
    """The edit form's current values, as the browser would post them back."""
    response = client.get(reverse("program_settings:edit", args=[program.pk]))
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    for formset in form.formsets.values():
        management = formset.management_form
        for key in management.fields:
            data[f"{formset.prefix}-{key}"] = management[key].value()
        for child in formset.forms:
            for key in child.fields:
                value = child[key].value()
                if isinstance(value, bool):
                    if value:
                        data[f"{child.prefix}-{key}"] = "on"
                elif isinstance(value, list | tuple):  # a help resource's languages
                    data[f"{child.prefix}-{key}"] = [str(v) for v in value]
                elif value is not None:
                    data[f"{child.prefix}-{key}"] = str(value)
    return data


def test_program_admin_changes_own_program_settings(client, admin, program):
    client = as_user(client, admin)
    data = _program_form(client, program)
    data.update(name="City Fire Peer Team", default_caseload_cap="3")
    response = client.post(reverse("program_settings:edit", args=[program.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    program.refresh_from_db()
    assert (program.name, program.default_caseload_cap) == ("City Fire Peer Team", 3)


def test_program_admin_adds_a_unit_and_a_crisis_line_inline(client, admin, program):
    client = as_user(client, admin)
    data = _program_form(client, program)
    data.update({"units-TOTAL_FORMS": "1", "units-0-name": "Station 9", "units-0-ORDER": "1"})
    total = int(data["help_resources-TOTAL_FORMS"])
    data.update(
        {
            "help_resources-TOTAL_FORMS": str(total + 1),
            f"help_resources-{total}-name": "Firefighter helpline",
            f"help_resources-{total}-kind": "crisis",
            f"help_resources-{total}-phone": "0800 123 456",
            f"help_resources-{total}-hours": "24/7",
            f"help_resources-{total}-ORDER": str(total + 1),
        }
    )
    response = client.post(reverse("program_settings:edit", args=[program.pk]), data)
    assert response.status_code == 302
    program = Program.objects.get(pk=program.pk)
    assert list(program.units.values_list("name", flat=True)) == ["Station 9"]
    assert "Firefighter helpline" in [line.name for line in program.crisis_lines()]


def test_program_admin_gives_a_help_resource_a_region_and_languages(client, admin, program):
    client = as_user(client, admin)
    data = _program_form(client, program)
    spanish = Language.objects.get_or_create(code="es", defaults={"name": "Spanish"})[0]
    data.update(
        {
            "help_resources-0-region": "North County",
            "help_resources-0-languages": [str(spanish.pk)],
            "help_resources-0-kind": "peer_group",
        }
    )
    response = client.post(reverse("program_settings:edit", args=[program.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    first = HelpResource.objects.get(pk=data["help_resources-0-id"], program=program)
    assert (first.kind, first.region) == ("peer_group", "North County")
    assert list(first.languages.all()) == [spanish]


def test_report_threshold_below_five_is_refused_and_nothing_saved(client, admin, program):
    client = as_user(client, admin)
    data = _program_form(client, program)
    data.update(report_threshold="3", name="Changed name")
    response = client.post(reverse("program_settings:edit", args=[program.pk]), data)
    assert response.status_code == 200
    assert "report_threshold" in response.context["form"].errors
    program.refresh_from_db()
    assert program.report_threshold == 5 and program.name != "Changed name"


def test_program_slug_and_type_cannot_be_changed_in_the_admin(client, admin, program):
    client = as_user(client, admin)
    data = _program_form(client, program)
    data.update(slug="hijacked", kind="healthcare")
    client.post(reverse("program_settings:edit", args=[program.pk]), data)
    program.refresh_from_db()
    assert (program.slug, program.kind) == ("city-fire", "first-responder")


def test_only_a_superuser_may_create_a_program_in_the_admin(client, admin, coordinator):
    form = {
        "template": "workplace",
        "name": "Harbour Office",
        "slug": "harbour-office",
        "admin_email": "lead@harbour.example.org",
    }
    for user in (admin, coordinator):
        response = as_user(client, user).post(reverse("program_settings:add"), form)
        assert refused(response)
    assert not Program.objects.filter(slug="harbour-office").exists()
    root = get_user_model().objects.create_superuser("ops@example.org", "ops@example.org", "x")
    response = as_user(client, root).post(reverse("program_settings:add"), form)
    assert response.status_code == 200
    page = response.content.decode()
    program = Program.objects.get(slug="harbour-office")
    assert permissions.user_can(
        get_user_model().objects.get(email="lead@harbour.example.org"),
        permissions.ADMINISTER,
        program,
    )
    assert "invitation to choose a password was emailed" in page and "/accounts/" not in page
    assert ProgramPage.objects.filter(program=program).exists()


def test_program_created_in_the_admin_refuses_a_slug_of_another_organisation(client, program, db):
    root = get_user_model().objects.create_superuser("ops@example.org", "ops@example.org", "x")
    response = as_user(client, root).post(
        reverse("program_settings:add"),
        {
            "template": "workplace",
            "name": "Someone Else",
            "slug": program.slug,
            "admin_email": "x@example.org",
        },
    )
    assert response.status_code == 200
    assert "already used by another organisation" in response.content.decode()


# People and roles ---------------------------------------------------------------------


def test_admin_adds_a_new_person_who_is_emailed_an_invitation(client, admin, program):
    response = as_user(client, admin).post(
        reverse("people:add"),
        {"program": program.pk, "email": "New.Person@Example.org", "role": Role.COORDINATOR},
    )
    assert response.status_code == 200
    assert "invitation to choose a password was emailed" in response.content.decode()
    person = get_user_model().objects.get(email="new.person@example.org")
    assert not person.has_usable_password()
    assert permissions.user_can(person, permissions.TRIAGE, program)
    assert person.groups.filter(name="Program staff").exists()


def test_adding_a_person_who_has_a_password_shows_no_link(client, admin, program, outsider):
    response = as_user(client, admin).post(
        reverse("people:add"),
        {"program": program.pk, "email": outsider.email, "role": Role.SUPPORTER},
    )
    assert "/accounts/reset/" not in response.content.decode()
    assert SupporterProfile.objects.filter(user=outsider, program=program).exists()


def test_admin_cannot_add_people_to_another_program(client, admin, other_program):
    response = as_user(client, admin).post(
        reverse("people:add"),
        {"program": other_program.pk, "email": "sneaky@example.org", "role": Role.ADMIN},
    )
    assert response.status_code == 200
    assert "program" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="sneaky@example.org").exists()


def test_coordinator_cannot_add_or_remove_people(client, coordinator, supporter, program):
    membership = Membership.objects.get(user=supporter, program=program)
    client = as_user(client, coordinator)
    assert refused(client.get(reverse("people:add")))
    assert refused(
        client.post(
            reverse("people:add"),
            {"program": program.pk, "email": "x@example.org", "role": Role.ADMIN},
        )
    )
    assert refused(client.post(reverse("people:delete", args=[membership.pk])))
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_memberships_cannot_be_edited_only_removed_and_added(client, admin, coordinator, program):
    membership = Membership.objects.get(user=coordinator, program=program)
    assert refused(as_user(client, admin).get(reverse("people:edit", args=[membership.pk])))


def test_removing_a_role_takes_its_permissions_away(client, admin, coordinator, program):
    membership = Membership.objects.get(user=coordinator, program=program)
    response = as_user(client, admin).post(reverse("people:delete", args=[membership.pk]))
    assert response.status_code == 302
    coordinator = get_user_model().objects.get(pk=coordinator.pk)
    assert not permissions.user_can(coordinator, permissions.TRIAGE, program)
    assert not coordinator.groups.filter(name="Program staff").exists()


def test_the_last_admin_of_a_program_cannot_be_removed(client, admin, program):
    bootstrap_admin = get_user_model().objects.get(email="admin@city-fire.example.org")
    as_user(client, admin).post(
        reverse("people:delete", args=[Membership.objects.get(user=bootstrap_admin).pk])
    )
    own = Membership.objects.get(user=admin, program=program, role=Role.ADMIN)
    response = as_user(client, admin).post(reverse("people:delete", args=[own.pk]))
    assert response.status_code == 302
    assert Membership.objects.filter(pk=own.pk).exists()
    assert permissions.user_can(admin, permissions.ADMINISTER, program)


# Roster ------------------------------------------------------------------------------------


def _roster_form(client, profile, **changes):
    response = client.get(reverse("roster:edit", args=[profile.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return data


def test_coordinator_pauses_a_supporter_and_the_history_says_who_and_why(
    client, coordinator, profile
):
    client = as_user(client, coordinator)
    data = _roster_form(client, profile, new_status="paused", status_reason="Asked for a break")
    response = client.post(reverse("roster:edit", args=[profile.pk]), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == SupporterProfile.Status.PAUSED
    change = SupporterStatusChange.objects.get(supporter=profile)
    assert (change.decided_by, change.from_status, change.reason) == (
        coordinator,
        "active",
        "Asked for a break",
    )
    page = client.get(reverse("roster:edit", args=[profile.pk])).content.decode()
    assert "Asked for a break" in page and coordinator.email in page


def test_a_status_move_the_roster_forbids_saves_nothing(client, admin, profile):
    client = as_user(client, admin)
    data = _roster_form(client, profile, new_status="applicant", display_name="Renamed")
    response = client.post(reverse("roster:edit", args=[profile.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    profile.refresh_from_db()
    assert profile.status == "active" and profile.display_name != "Renamed"
    assert not SupporterStatusChange.objects.filter(supporter=profile).exists()


def test_roster_edit_offers_only_the_programs_own_units(client, admin, profile, other_program):
    foreign = Unit.objects.create(program=other_program, name="Ward 5")
    own = Unit.objects.create(program=profile.program, name="Station 2")
    client = as_user(client, admin)
    response = client.post(
        reverse("roster:edit", args=[profile.pk]), _roster_form(client, profile, unit=foreign.pk)
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    response = client.post(
        reverse("roster:edit", args=[profile.pk]), _roster_form(client, profile, unit=own.pk)
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.unit == own


def test_supporters_cannot_be_added_or_deleted_through_the_roster(client, admin, profile):
    client = as_user(client, admin)
    assert refused(client.get(reverse("roster:add")))
    assert refused(client.post(reverse("roster:delete", args=[profile.pk])))
    assert SupporterProfile.objects.filter(pk=profile.pk).exists()


def test_roster_list_takes_the_same_number_of_queries_for_more_supporters(
    client, coordinator, program
):
    for n in range(2):
        make_active_supporter(program, email=f"few{n}@example.org")
    client = as_user(client, coordinator)
    client.get(reverse("roster:index"))  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("roster:index"))
    for n in range(5):
        make_active_supporter(program, email=f"many{n}@example.org")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("roster:index"))
    assert "many4@example.org" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


# Training records --------------------------------------------------------------------------


def test_coordinator_records_training_and_it_expires_by_the_requirement(
    client, coordinator, profile
):
    requirement = profile.program.training_requirements.exclude(valid_for_months=None).first()
    done = timezone.localdate() - timedelta(days=10)
    response = as_user(client, coordinator).post(
        reverse("training:add"),
        {
            "supporter": profile.pk,
            "requirement": requirement.pk,
            "completed_on": done.isoformat(),
            "reference": "CERT-42",
        },
    )
    assert response.status_code == 302
    completion = TrainingCompletion.objects.get(supporter=profile, reference="CERT-42")
    assert completion.recorded_by == coordinator
    assert completion.expires_on > done


def test_training_in_the_future_is_refused(client, coordinator, profile):
    requirement = profile.program.training_requirements.first()
    before = TrainingCompletion.objects.count()
    response = as_user(client, coordinator).post(
        reverse("training:add"),
        {
            "supporter": profile.pk,
            "requirement": requirement.pk,
            "completed_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "completed_on" in response.context["form"].errors
    assert TrainingCompletion.objects.count() == before


def test_training_cannot_be_recorded_for_another_programs_supporter(
    client, coordinator, other_profile
):
    requirement = other_profile.program.training_requirements.first()
    before = TrainingCompletion.objects.count()
    response = as_user(client, coordinator).post(
        reverse("training:add"),
        {
            "supporter": other_profile.pk,
            "requirement": requirement.pk,
            "completed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"supporter", "requirement"}
    assert TrainingCompletion.objects.count() == before


def test_training_records_are_only_added_to(client, coordinator, profile):
    completion = profile.completions.first()
    client = as_user(client, coordinator)
    assert refused(client.get(reverse("training:edit", args=[completion.pk])))
    assert refused(client.post(reverse("training:delete", args=[completion.pk])))
    assert TrainingCompletion.objects.filter(pk=completion.pk).exists()


# Roster CSV --------------------------------------------------------------------------------


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv")


def test_roster_export_lists_the_programs_supporters_only(client, admin, profile, other_profile):
    response = as_user(client, admin).get(reverse("roster_csv:export", args=[profile.program_id]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("email,display_name,status")
    assert profile.user.email in body and other_profile.user.email not in body


def test_roster_import_dry_run_reports_each_row_and_saves_nothing(client, coordinator, program):
    csv_text = (
        "email,display_name,status,languages,channels\n"
        "dana@example.org,Dana,in_training,en;fr,messages;phone\n"
        "not-an-email,Eve,active,en,messages\n"
        "finn@example.org,Finn,sleeping,xx,smoke\n"
    )
    response = as_user(client, coordinator).post(
        reverse("roster_csv:index"), {"program": program.pk, "file": _upload(csv_text)}
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert [row.outcome for row in report.rows] == ["new", "invalid", "invalid"]
    assert any("email" in m for m in report.rows[1].errors)
    assert {m.split(":")[0] for m in report.rows[2].errors} == {"status", "languages", "channels"}
    assert not get_user_model().objects.filter(email="dana@example.org").exists()
    assert "Import these rows" not in response.content.decode()


def test_confirmed_roster_import_goes_through_the_services(client, coordinator, program, profile):
    csv_text = (
        "email,display_name,status,languages,lived_experience,channels,max_active_cases\n"
        "dana@example.org,Dana,active,en;fr,grief,messages;phone,3\n"
        f"{profile.user.email},{profile.display_name},paused,en,,messages,\n"
    )
    client = as_user(client, coordinator)
    checked = client.post(
        reverse("roster_csv:index"), {"program": program.pk, "file": _upload(csv_text)}
    )
    assert checked.context["report"].ok
    assert "Import these rows" in checked.content.decode()
    response = client.post(
        reverse("roster_csv:import"), {"program": program.pk, "csv_text": csv_text}
    )
    assert response.status_code == 200 and response.context["report"].ok
    dana = SupporterProfile.objects.get(user__email="dana@example.org", program=program)
    assert dana.status == "active" and dana.max_active_cases == 3
    assert set(dana.languages.values_list("code", flat=True)) == {"en", "fr"}
    assert permissions.user_can(dana.user, permissions.HOLD_CASELOAD, program)
    moves = list(
        dana.status_changes.order_by("decided_at", "pk").values_list("to_status", flat=True)
    )
    assert moves == ["in_training", "active"]
    assert set(dana.status_changes.values_list("decided_by", flat=True)) == {coordinator.pk}
    profile.refresh_from_db()
    assert profile.status == "paused" and not profile.offers_phone


def test_a_roster_import_with_one_bad_row_saves_no_row(client, coordinator, program):
    csv_text = "email,status\ngood@example.org,active\nbad@example.org,unknown\n"
    response = as_user(client, coordinator).post(
        reverse("roster_csv:import"), {"program": program.pk, "csv_text": csv_text}
    )
    assert not response.context["report"].ok
    assert "Nothing was imported" in response.content.decode()
    assert not get_user_model().objects.filter(email="good@example.org").exists()


def test_roster_import_into_another_program_is_refused(client, admin, other_program):
    csv_text = "email\nplant@example.org\n"
    client = as_user(client, admin)
    response = client.post(
        reverse("roster_csv:index"), {"program": other_program.pk, "file": _upload(csv_text)}
    )
    assert "program" in response.context["form"].errors
    assert refused(
        client.post(
            reverse("roster_csv:import"), {"program": other_program.pk, "csv_text": csv_text}
        )
    )
    assert not get_user_model().objects.filter(email="plant@example.org").exists()


def test_roster_file_without_an_email_column_is_explained(client, coordinator, program):
    response = as_user(client, coordinator).post(
        reverse("roster_csv:index"), {"program": program.pk, "file": _upload("name\nDana\n")}
    )
    assert any("needs an 'email' column" in e for e in response.context["report"].file_errors)
    assert not response.context["report"].ok


# Content and confidentiality ---------------------------------------------------------------


def test_program_admin_edits_own_programs_pages_and_not_another_programs(
    client, admin, program, other_program, other_program_admin
):
    own = ProgramPage.objects.get(program=program)
    other = ProgramPage.objects.get(program=other_program)
    assert own.permissions_for_user(admin).can_edit()
    assert not other.permissions_for_user(admin).can_edit()
    client = as_user(client, admin)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).status_code == 200
    assert refused(client.get(reverse("wagtailadmin_pages:edit", args=[other.pk])))


def test_coordinators_do_not_edit_program_pages(coordinator, program):
    page = ProgramPage.objects.get(program=program)
    assert not page.permissions_for_user(coordinator).can_edit()


CASE_MODELS = [Case, Message, CaseNote, CaseEvent, Referral, CaseAccess]


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        yield route
        yield from _routes(getattr(pattern, "url_patterns", []), route)


def test_support_requests_and_their_contents_appear_in_no_admin_and_no_search():
    from wagtail.admin.viewsets import viewsets
    from wagtail.search.index import get_indexed_models
    from wagtail.snippets.models import get_snippet_models

    routes = " ".join(_routes(get_resolver().url_patterns)).lower()  # also loads the admin
    assert "admin/roster/" in routes  # the walk reaches the admin's own views
    registered = {getattr(viewset, "model", None) for viewset in viewsets.viewsets}
    assert SupporterProfile in registered
    for model in CASE_MODELS:
        assert model not in registered, model
        assert model not in get_snippet_models(), model
        assert model not in django_admin.site._registry, model
        assert model not in get_indexed_models(), model
    for word in ("programs/case/", "programs_case", "casenote", "caseevent", "caseaccess"):
        assert word not in routes, word
    assert "referral" not in routes


def test_program_staff_group_gives_admin_access_to_coordinators_only_while_they_are_one(
    client, program
):
    person = make_member(program, Role.COORDINATOR, email="temp-coord@example.org")
    assert as_user(client, person).get(reverse("wagtailadmin_home")).status_code == 200
    from programs.services import members

    members.membership_revoke(membership=Membership.objects.get(user=person))
    assert refused(as_user(client, person).get(reverse("wagtailadmin_home")))
