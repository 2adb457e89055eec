"""A new program gets ready before it opens: the launch checklist, opening and closing it,
and what requesters and visitors meet meanwhile (issue 12 items 3 and 5)."""

from datetime import timedelta
from html import unescape
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.models import HomePage, ProgramPage
from programs import launch
from programs.models import Case, HelpResource, Program, Role, SupporterProfile, TrainingCompletion
from programs.services import cases, intake, setup
from programs.services import launch as launch_services
from tests.api.conftest import client_for
from tests.factories import make_active_supporter, make_member

pytestmark = pytest.mark.django_db

SLUG = "harbour"


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def new_program(db):
    return setup.program_bootstrap(
        template="workplace",
        name="Harbour Peer Support",
        slug=SLUG,
        admin_email="hr@harbour.example.org",
        notify=False,
    ).program


@pytest.fixture
def harbour_admin(new_program):
    return Program.objects.get(pk=new_program.pk).memberships.get(role=Role.ADMIN).user


def done(program) -> dict[str, bool]:
    return {item.key: item.done for item in launch.checklist(program)}


def make_ready(program, admin) -> Program:
    """Everything the checklist asks for, the way an admin would provide it."""
    make_member(program, Role.COORDINATOR, email="coord@harbour.example.org")
    make_active_supporter(program, email="peer1@harbour.example.org")
    make_active_supporter(program, email="peer2@harbour.example.org")
    HelpResource.objects.create(program=program, name="Harbour EAP", kind="eap", phone="555")
    Program.objects.filter(pk=program.pk).update(
        staffed_hours="Weekdays 9–5", expected_reply_time="within a working day"
    )
    program.refresh_from_db()
    for what in launch.CONFIRMATIONS:
        launch_services.program_confirm(program=program, actor=admin, what=what)
    return program


def launch_url(program) -> str:
    return reverse("program_settings:launch", args=[program.pk])


def post_request_api(program, message="Is anyone there?"):
    return client_for(None).post(f"/api/v1/programs/{program.slug}/requests/", {"message": message})


def crisis_phones(program) -> list[str]:
    return [line.phone for line in program.crisis_lines() if line.phone]


# ---------------------------------------------------------------- getting ready


def test_a_new_program_is_getting_ready_with_every_item_missing(new_program):
    assert new_program.state == Program.State.GETTING_READY
    assert not new_program.accepts_requests and not new_program.is_listed
    # The shipped directory gives it crisis lines, but nobody has reviewed them yet.
    assert crisis_phones(new_program)
    assert done(new_program) == dict.fromkeys(
        [
            launch.COORDINATOR,
            launch.SUPPORTERS,
            launch.CRISIS_LINES,
            launch.PROFESSIONAL_HELP,
            launch.HOURS,
            launch.CONFIDENTIALITY,
        ],
        False,
    )


def test_bootstrap_program_prints_the_checklist_and_how_to_open(db):
    out = StringIO()
    call_command(
        "bootstrap_program",
        "--template=workplace",
        "--name=Dock Peer Support",
        "--slug=dock",
        "--admin-email=hr@dock.example.org",
        stdout=out,
    )
    printed = out.getvalue()
    assert "Program 'dock' is getting ready." in printed
    assert printed.count("✗ missing") == 6
    assert "A coordinator: Add a coordinator under People" in printed
    assert "manage.py program_open dock" in printed


def test_checklist_items_flip_as_the_roster_fills(new_program, harbour_admin):
    make_member(new_program, Role.COORDINATOR)
    assert done(new_program)[launch.COORDINATOR]

    first = make_active_supporter(new_program)
    assert not done(new_program)[launch.SUPPORTERS]
    second = make_active_supporter(new_program)
    assert done(new_program)[launch.SUPPORTERS]
    # A supporter still in training, or whose training has lapsed, does not count.
    SupporterProfile.objects.filter(pk=second.pk).update(status=SupporterProfile.Status.PAUSED)
    assert not done(new_program)[launch.SUPPORTERS]
    SupporterProfile.objects.filter(pk=second.pk).update(status=SupporterProfile.Status.ACTIVE)
    TrainingCompletion.objects.filter(supporter=first).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    assert not done(new_program)[launch.SUPPORTERS]
    make_active_supporter(new_program)
    assert done(new_program)[launch.SUPPORTERS]

    HelpResource.objects.create(program=new_program, name="Counselling", kind="clinical")
    assert done(new_program)[launch.PROFESSIONAL_HELP]

    Program.objects.filter(pk=new_program.pk).update(staffed_hours="Weekdays")
    new_program.refresh_from_db()
    assert not done(new_program)[launch.HOURS]  # the reply time is still empty
    Program.objects.filter(pk=new_program.pk).update(expected_reply_time="within a day")
    new_program.refresh_from_db()
    assert done(new_program)[launch.HOURS]

    launch_services.program_confirm(program=new_program, actor=harbour_admin, what="crisis_lines")
    launch_services.program_confirm(
        program=new_program, actor=harbour_admin, what="confidentiality"
    )
    assert launch.is_complete(new_program)


def test_a_program_with_no_crisis_line_cannot_count_them_reviewed(new_program, harbour_admin):
    HelpResource.objects.filter(program=new_program, kind="crisis").delete()
    launch_services.program_confirm(program=new_program, actor=harbour_admin, what="crisis_lines")
    assert not done(new_program)[launch.CRISIS_LINES]


def test_the_checklist_takes_at_most_three_queries(
    new_program, harbour_admin, django_assert_max_num_queries
):
    make_ready(new_program, harbour_admin)
    for n in range(3):
        make_active_supporter(new_program, email=f"more{n}@harbour.example.org")
    with django_assert_max_num_queries(3):
        assert launch.is_complete(new_program)


def test_web_and_api_intake_of_a_program_getting_ready_say_not_open_yet(client, new_program):
    page = client.get(reverse("programs:request", args=[SLUG]))
    assert page.status_code == 200
    assert "This program is not open yet" in text(page)
    assert all(phone in text(page) for phone in crisis_phones(new_program))
    assert 'name="message"' not in text(page)

    posted = client.post(
        reverse("programs:request", args=[SLUG]), {"step": "limits", "acknowledged": "on"}
    )
    assert posted.status_code == 409 and "not open yet" in text(posted)

    response = post_request_api(new_program)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_open" and "not open yet" in error["message"]
    assert [line["phone"] for line in error["crisis_lines"] if line["phone"]] == crisis_phones(
        new_program
    )

    with pytest.raises(ValidationError, match="not open yet"):
        intake.case_submit(program=new_program, message="Anyone?")
    assert Case.objects.filter(program=new_program).count() == 0


def test_the_public_face_says_the_program_is_not_open(new_program):
    body = client_for(None).get(f"/api/v1/programs/{SLUG}/intake-form/").json()
    assert (body["state"], body["accepts_requests"]) == ("getting_ready", False)
    assert body["crisis_lines"]


def test_a_program_getting_ready_is_for_its_staff_only(client, new_program, harbour_admin):
    landing = ProgramPage.objects.get(program=new_program)
    home = HomePage.objects.get()
    assert landing.title not in text(client.get(home.url))
    assert client.get(landing.url).status_code == 404
    assert client.get(landing.get_children().live().first().url).status_code == 404
    pages_api = Client().get(f"/api/cms/pages/?type=cms.ProgramPage&title={landing.title}")
    assert pages_api.status_code == 200, pages_api.content
    assert landing.title not in [item["title"] for item in pages_api.json()["items"]]
    assert Client().get(f"/api/cms/pages/?program={SLUG}").status_code == 400

    coordinator = make_member(new_program, Role.COORDINATOR)
    for staff in (harbour_admin, coordinator):
        client.force_login(staff)
        assert client.get(landing.url).status_code == 200
    other = make_member(Program.objects.get(slug="river-hospital"), Role.ADMIN)
    client.force_login(other)
    assert client.get(landing.url).status_code == 404


# ---------------------------------------------------------------- opening and closing


def test_opening_with_an_incomplete_checklist_names_what_is_missing(
    client, new_program, harbour_admin
):
    make_member(new_program, Role.COORDINATOR)
    with pytest.raises(ValidationError) as raised:
        launch_services.program_open(program=new_program, actor=harbour_admin)
    message = " ".join(raised.value.messages)
    assert "Confidentiality text reviewed" in message and "A coordinator" not in message

    client.force_login(harbour_admin)
    response = client.post(launch_url(new_program), {"action": "open"})
    assert response.status_code == 400
    assert "cannot open yet" in text(response) and "Crisis lines reviewed" in text(response)
    new_program.refresh_from_db()
    assert new_program.state == Program.State.GETTING_READY
    assert not ModelLogEntry.objects.filter(action=launch_services.OPENED).exists()

    with pytest.raises(CommandError, match="Still missing"):
        call_command("program_open", SLUG, stdout=StringIO())


def test_the_admin_opens_a_complete_program_and_it_takes_requests(
    client, new_program, harbour_admin
):
    make_ready(new_program, harbour_admin)
    client.force_login(harbour_admin)
    assert "Open the program" in text(client.get(launch_url(new_program)))
    assert client.post(launch_url(new_program), {"action": "open"}).status_code == 302
    new_program.refresh_from_db()
    assert new_program.accepts_requests and new_program.is_listed

    landing = ProgramPage.objects.get(program=new_program)
    assert landing.title in text(Client().get(HomePage.objects.get().url))
    assert Client().get(landing.url).status_code == 200
    pages_api = Client().get(f"/api/cms/pages/?type=cms.ProgramPage&title={landing.title}")
    assert landing.title in [item["title"] for item in pages_api.json()["items"]]
    assert post_request_api(new_program).status_code == 201


def test_program_open_command_goes_through_the_service(new_program, harbour_admin):
    make_ready(new_program, harbour_admin)
    out = StringIO()
    call_command("program_open", SLUG, stdout=out)
    assert "is open" in out.getvalue()
    assert Program.objects.get(pk=new_program.pk).state == Program.State.OPEN
    call_command("program_open", SLUG, "--close", stdout=out)
    assert Program.objects.get(pk=new_program.pk).state == Program.State.CLOSED


def test_a_closed_program_lets_existing_requesters_read_and_reply(
    client, new_program, harbour_admin
):
    make_ready(new_program, harbour_admin)
    launch_services.program_open(program=new_program, actor=harbour_admin)
    submission = intake.case_submit(program=new_program, message="Long shift.")
    coordinator = Program.objects.get(pk=new_program.pk).memberships.get(role="coordinator").user
    cases.staff_reply(case=submission.case, actor=coordinator, body="We are here.")
    code = submission.receipt_code

    client.force_login(harbour_admin)
    assert client.post(launch_url(new_program), {"action": "close"}).status_code == 302
    client.logout()
    new_program.refresh_from_db()
    assert new_program.state == Program.State.CLOSED

    status_url = reverse("programs:status", args=[SLUG])
    page = client.post(status_url, {"receipt_code": code, "action": "lookup"})
    assert page.status_code == 200 and "We are here." in text(page)
    api = client_for(None)
    assert api.post("/api/v1/requests/lookup/", {"receipt_code": code}).status_code == 200
    replied = api.post("/api/v1/requests/messages/", {"receipt_code": code, "body": "Thanks."})
    assert replied.status_code == 201, replied.content
    assert submission.case.messages.count() == 3  # the request, the reply, the answer

    refused = client.get(reverse("programs:request", args=[SLUG]))
    assert "not taking new requests" in text(refused)
    assert post_request_api(new_program).status_code == 409
    assert Case.objects.filter(program=new_program).count() == 1
    assert ProgramPage.objects.get(program=new_program).title not in text(
        client.get(HomePage.objects.get().url)
    )


def test_only_this_programs_admin_may_open_or_close_it(client, new_program, harbour_admin):
    make_ready(new_program, harbour_admin)
    river = Program.objects.get(slug="river-hospital")
    refused = {
        "another program's admin": make_member(river, Role.ADMIN),
        "its coordinator": Program.objects.get(pk=new_program.pk)
        .memberships.get(role="coordinator")
        .user,
        "its supporter": SupporterProfile.objects.filter(program=new_program).first().user,
    }
    for who, user in refused.items():
        client.force_login(user)
        for action in ("open", "confirm_crisis_lines"):
            response = client.post(launch_url(new_program), {"action": action})
            assert response.status_code in (302, 403, 404), who
            assert response.status_code != 302 or "login" in response["Location"], who
        assert client.get(launch_url(new_program)).status_code in (302, 403, 404), who
        with pytest.raises(PermissionDenied):
            launch_services.program_open(program=new_program, actor=user)
    client.logout()
    anonymous = client.post(launch_url(new_program), {"action": "open"})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert Program.objects.get(pk=new_program.pk).state == Program.State.GETTING_READY


def test_every_state_change_and_confirmation_is_in_the_programs_history(
    client, new_program, harbour_admin
):
    make_ready(new_program, harbour_admin)
    launch_services.program_open(program=new_program, actor=harbour_admin)
    launch_services.program_close(program=new_program, actor=harbour_admin)
    entries = ModelLogEntry.objects.filter(object_id=str(new_program.pk)).order_by("pk")
    launch_entries = [(e.action, e.user_id) for e in entries if e.action.startswith("programs.")]
    assert launch_entries == [
        ("programs.crisis_lines_reviewed", harbour_admin.pk),
        ("programs.confidentiality_reviewed", harbour_admin.pk),
        ("programs.program_opened", harbour_admin.pk),
        ("programs.program_closed", harbour_admin.pk),
    ]
    client.force_login(harbour_admin)
    history = text(client.get(reverse("program_settings:history", args=[new_program.pk])))
    assert "Program opened" in history and "Program closed" in history


def test_the_dashboard_shows_each_administered_programs_checklist(
    client, new_program, harbour_admin, admin
):
    client.force_login(harbour_admin)
    page = text(client.get(reverse("wagtailadmin_home")))
    assert "Harbour Peer Support" in page and "Getting ready" in page
    assert "At least 2 active supporters with valid training" in page
    assert reverse("roster:index") in page and launch_url(new_program) in page
    assert "City Fire" not in page

    client.force_login(admin)  # the admin of an open program sees its state, no list
    page = text(client.get(reverse("wagtailadmin_home")))
    assert "Harbour" not in page and "Your programs" in page
