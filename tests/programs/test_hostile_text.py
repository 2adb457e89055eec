"""Hostile text in every free-text field stays text on every page, email and export.

Each payload of tests/xss.py is written into each field a requester or a member of staff
can fill, through the web forms (and the API), and then read back on the pages that show
it: the requester's own pages, the supporter's case page and caseload, the coordinator's
queue and request page, /me/, and the Wagtail admin's program, people, roster and
training screens. A page passes when nothing on it came from a payload (no element,
attribute, script, style or comment: tests/xss.py reads the page like a browser) and the
payload reads as it was written. Plain-text emails carry it literally, CSV exports
neutralise it, and the API hands it back as data.

The world is built once for the module (one case, one supporter and one unit per
payload); fields a program has only one of are changed payload by payload.
"""

import csv
import io
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from privacy import formtokens
from programs import exports
from programs.models import (
    Case,
    HelpResource,
    Organisation,
    Role,
    SupporterProfile,
    TrainingCompletion,
    TrainingRequirement,
    Unit,
)
from programs.tasks import send_staff_email
from programs.views.public import REPLY_FORM, _request_form_purpose
from tests import mfa
from tests.factories import make_member, make_program, submit_request
from tests.xss import PAYLOADS, assert_inert, looks_like

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"\b(?:[0-9A-Z]{4}-){6}[0-9A-Z]{4}\b")
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
GENEROUS = {
    "TOOLKIT_RATE_LIMITS": {
        scope: {"client": (10**6, 3600), "global": (10**6, 3600)} for scope in ("intake", "lookup")
    }
}
# The Wagtail edit screens take a tenth of a second each: they get every third payload
# (42 of them, of every kind); every other screen gets all of them.
SLOW_STRIDE = 3
EMAIL_TEMPLATES = [
    "debrief_requested",
    "handover_requested",
    "invitation",
    "member_added",
    "request_arrived",
    "request_offered",
    "request_returned",
    "requester_replied",
    "requester_replied_queue",
    "supporter_paused",
    "supporter_resumed",
    "training_reminder",
]


def fit(payload: str, limit: int) -> str:
    """The payload as a field of `limit` characters keeps it (stripped, as forms do)."""
    return payload[:limit].strip()


def staff(program, role, email):
    return make_member(program, role, email=email)


def redirected_within(response, where) -> None:
    """The write worked: a redirect back to the page, not to the sign-in."""
    assert response.status_code == 302, (where, response.content[:300])
    assert "/accounts/" not in response.url, where


# ---------------------------------------------------------------- the world

ALL = "\n".join(PAYLOADS)  # every payload in one text, for fields that hold that much


def _request_form(client, program) -> tuple[str, str]:
    url = reverse("programs:request", args=[program.slug])
    page = client.post(url, {"step": "limits", "acknowledged": "on"}).content.decode()
    return url, TOKEN.search(page).group(1)


def _web_request(client, program, payload, unit) -> dict:
    """A requester asks through the web form, first forgetting their number (the form comes
    back with what they typed), then with it."""
    url = reverse("programs:request", args=[program.slug])
    fields = {
        "step": "details",
        "form_token": formtokens.issue(_request_form_purpose(program)),
        "message": payload,
        "urgency": "soon",
        "channel": "phone",
        "alias": fit(payload, 40),
        "preferred_gender": fit(payload, 40),
        "excluded_unit": unit.pk,
    }
    again = client.post(url, fields)
    assert again.status_code == 400, again.status_code
    sent = client.post(url, {**fields, "contact_detail": fit(payload, 200)})
    assert sent.status_code == 200, sent.content[:300]
    return {
        "form_again": again.content.decode(),
        "receipt": RECEIPT.search(sent.content.decode()).group(0),
    }


def _roster(program) -> list[SupporterProfile]:
    """One supporter per payload, in its every free-text field (written in bulk: the roster
    services' rules are not what these tests are about)."""
    User = get_user_model()
    units = Unit.objects.bulk_create(
        Unit(program=program, name=fit(p, 120), sort_order=i) for i, p in enumerate(PAYLOADS)
    )
    users = User.objects.bulk_create(
        User(
            username=f"peer{i}@{program.slug}.example.org",
            email=f"peer{i}@{program.slug}.example.org",
            first_name=fit(p, 150),
        )
        for i, p in enumerate(PAYLOADS)
    )
    return SupporterProfile.objects.bulk_create(
        SupporterProfile(
            program=program,
            user=user,
            display_name=fit(p, 80),
            gender=fit(p, 40),
            availability=fit(p, 200),
            confidentiality_limits=p,
            status=SupporterProfile.Status.PAUSED if i % 2 else SupporterProfile.Status.ACTIVE,
            pause_reason=fit(p, 200) if i % 2 else "",
            debrief_requested_at=timezone.now(),
            unit=unit,
        )
        for i, (p, user, unit) in enumerate(zip(PAYLOADS, users, units, strict=False))
    )


def _conversation(program, requester, coordinator, user, profile) -> dict:
    """One case whose every long field holds every payload, written through the web forms."""
    url, token = _request_form(requester, program)
    sent = requester.post(
        url,
        {
            "step": "details",
            "form_token": token,
            "message": ALL,
            "channel": "messages",
            "urgency": "routine",
        },
    )
    receipt = RECEIPT.search(sent.content.decode()).group(0)
    case = next(c for c in Case.objects.filter(program=program) if c.messages.get().body == ALL)
    Case.objects.filter(pk=case.pk).update(assigned_to=profile, status=Case.Status.NEW)
    supporter = signed_in(user)
    coordinating = signed_in(coordinator)
    case_url = reverse("programs:caseload_case", args=[case.pk])
    for route, data in [
        ("programs:caseload_reply", {"reply-body": ALL}),
        (
            "programs:caseload_note",
            {
                "note-contact_date": date.today().isoformat(),
                "note-contact_type": "phone",
                "note-text": ALL,
            },
        ),
    ]:
        redirected_within(supporter.post(reverse(route, args=[case.pk]), data), route)
    answer = coordinating.post(
        reverse("programs:coordinate_reply", args=[program.slug, case.pk]), {"reply-body": ALL}
    )
    redirected_within(answer, "coordinator reply")
    back = requester.post(
        reverse("programs:status", args=[program.slug]),
        {
            "receipt_code": receipt,
            "action": "reply",
            "body": ALL,
            "form_token": formtokens.issue(REPLY_FORM),
        },
    )
    assert back.status_code == 200, back.content[:300]
    # A reply that is too long comes back in the form, as typed.
    too_long = supporter.post(
        reverse("programs:caseload_reply", args=[case.pk]), {"reply-body": ALL * 2}
    )
    assert too_long.status_code == 400
    pause = supporter.post(
        reverse("programs:caseload_pause", args=[profile.pk]), {"reason": fit(ALL, 200)}
    )
    redirected_within(pause, "pause")
    return {
        "case": case,
        "receipt": receipt,
        "case_url": case_url,
        "reply_again": too_long.content.decode(),
    }


def _build() -> dict:
    program = make_program("hostile-cases", offers_phone=True, intake_limit_per_hour=10**4)
    coordinator = staff(program, Role.COORDINATOR, "coordinator@hostile.example.org")
    admin = staff(program, Role.ADMIN, "admin@hostile.example.org")
    sam = staff(program, Role.SUPPORTER, "sam@hostile.example.org")
    sam_profile = SupporterProfile.objects.get(program=program, user=sam)
    SupporterProfile.objects.filter(pk=sam_profile.pk).update(
        display_name="Sam", status=SupporterProfile.Status.ACTIVE, max_active_cases=10**4
    )
    sam_profile.refresh_from_db()
    units = Unit.objects.bulk_create(
        Unit(program=program, name=fit(p, 120), sort_order=i) for i, p in enumerate(PAYLOADS)
    )
    requester = Client()
    rows = [
        {"payload": payload, **_web_request(requester, program, payload, unit)}
        for payload, unit in zip(PAYLOADS, units, strict=True)
    ]
    by_message = {c.messages.get().body: c for c in Case.objects.filter(program=program)}
    for row in rows:
        row["case"] = by_message[row["payload"].strip()]
    Case.objects.filter(program=program).update(assigned_to=sam_profile, status=Case.Status.NEW)
    conversation = _conversation(program, requester, coordinator, sam, sam_profile)
    # The API's intake: these wait in the coordinator's queue.
    api = APIClient()
    queued = []
    for payload in PAYLOADS:
        response = api.post(
            f"/api/v1/programs/{program.slug}/requests/",
            {
                "message": payload,
                "alias": fit(payload, 40),
                "channel": "phone",
                "contact_detail": fit(payload, 200),
                "preferences": {"gender": fit(payload, 40)},
            },
            format="json",
        )
        assert response.status_code == 201, response.content[:300]
        queued.append(response.json()["receipt_code"])
    # The roster program: one supporter per payload, each with a case they look after.
    roster_program = make_program("hostile-roster")
    roster_coordinator = staff(roster_program, Role.COORDINATOR, "coordinator@roster.example.org")
    roster_admin = staff(roster_program, Role.ADMIN, "admin@roster.example.org")
    profiles = _roster(roster_program)
    looked_after = []
    for profile in profiles:
        submission = submit_request(roster_program, message="Could we talk?")
        Case.objects.filter(pk=submission.case.pk).update(
            assigned_to=profile, status=Case.Status.ACTIVE
        )
        looked_after.append(submission.receipt_code)
    return {
        "program": program,
        "coordinator": coordinator,
        "admin": admin,
        "sam": sam,
        "rows": rows,
        "conversation": conversation,
        "queued": queued,
        "roster_program": roster_program,
        "roster_coordinator": roster_coordinator,
        "roster_admin": roster_admin,
        "profiles": profiles,
        "looked_after": looked_after,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; each test runs in a savepoint inside this transaction, rolled back last."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(**GENEROUS):
        mfa.pretend_everyone_enrolled()
        try:
            built = _build()
        finally:
            mfa.stop_pretending()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def generous_limits(settings):
    settings.TOOLKIT_RATE_LIMITS = GENEROUS["TOOLKIT_RATE_LIMITS"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(response, where="") -> str:
    assert response.status_code == 200, (where, response.status_code)
    return response.content.decode()


# ---------------------------------------------------------------- requests, one per payload


def test_the_request_form_gives_back_what_was_typed_as_text(world):
    for row in world["rows"]:
        payload = row["payload"]
        assert_inert(row["form_again"], payload, fit(payload, 40), where=payload)


def test_the_supporter_reads_every_field_of_a_request_as_written(world):
    client = signed_in(world["sam"])
    for row in world["rows"]:
        payload = row["payload"]
        url = reverse("programs:caseload_case", args=[row["case"].pk])
        page = page_of(client.get(url), payload)
        assert_inert(page, payload, fit(payload, 200), fit(payload, 40), where=payload)


def test_the_coordinator_reads_every_field_of_a_request_as_written(world):
    client = signed_in(world["coordinator"])
    slug = world["program"].slug
    for row in world["rows"]:
        payload = row["payload"]
        url = reverse("programs:coordinate_request", args=[slug, row["case"].pk])
        page = page_of(client.get(url), payload)
        shown = [payload, fit(payload, 40), fit(payload, 120)]
        assert_inert(page, *shown, where=payload)


def test_the_requester_reads_their_request_as_written(world):
    client = Client()
    url = reverse("programs:status", args=[world["program"].slug])
    for row in world["rows"]:
        payload = row["payload"]
        page = page_of(client.post(url, {"receipt_code": row["receipt"]}), payload)
        assert_inert(page, payload, where=payload)


def test_the_requester_reads_their_supporters_name_and_limits_as_written(world):
    client = Client()
    url = reverse("programs:status", args=[world["roster_program"].slug])
    for payload, receipt in zip(PAYLOADS, world["looked_after"], strict=False):
        page = page_of(client.post(url, {"receipt_code": receipt}), payload)
        assert_inert(page, payload, fit(payload, 80), where=payload)


def test_the_coordinators_queue_shows_requests_from_the_api_as_written(world):
    client = signed_in(world["coordinator"])
    url = reverse("programs:coordinate", args=[world["program"].slug])
    pages = []
    for number in range(1, len(PAYLOADS) // 20 + 2):
        pages.append(page_of(client.get(url, {"page": number})))
    assert_inert("".join(pages), *PAYLOADS)


# ---------------------------------------------------------------- one long conversation


def test_the_supporter_reads_replies_and_notes_as_written(world):
    conversation = world["conversation"]
    page = page_of(signed_in(world["sam"]).get(conversation["case_url"]))
    assert_inert(page, *PAYLOADS)
    assert_inert(conversation["reply_again"], *PAYLOADS)


def test_the_coordinator_reads_replies_notes_and_pauses_as_written(world):
    client = signed_in(world["coordinator"])
    slug = world["program"].slug
    case = world["conversation"]["case"]
    page = page_of(client.get(reverse("programs:coordinate_request", args=[slug, case.pk])))
    assert_inert(page, *PAYLOADS)
    queue = page_of(client.get(reverse("programs:coordinate", args=[slug])))
    assert_inert(queue, fit(ALL, 200))


def test_the_requester_reads_the_conversation_and_the_closing_message_as_written(world):
    conversation = world["conversation"]
    status = reverse("programs:status", args=[world["program"].slug])
    requester = Client()
    page = page_of(requester.post(status, {"receipt_code": conversation["receipt"]}))
    assert_inert(page, *PAYLOADS)
    supporter = signed_in(world["sam"])
    closed = supporter.post(
        reverse("programs:caseload_close", args=[conversation["case"].pk]),
        {"close-outcome": "supported", "close-closing_message": ALL},
    )
    redirected_within(closed, "close")
    page = page_of(requester.post(status, {"receipt_code": conversation["receipt"]}))
    assert "closing-message" in page
    assert_inert(page, *PAYLOADS)


def test_the_caseload_and_my_work_pages_stay_inert(world):
    client = signed_in(world["sam"])
    for url in (reverse("programs:caseload"), reverse("programs:home")):
        assert_inert(page_of(client.get(url)), where=url)


def test_the_api_hands_text_back_as_data(world):
    conversation = world["conversation"]
    client = APIClient()
    client.force_authenticate(world["sam"])
    body = client.get(f"/api/v1/cases/{conversation['case'].pk}/").json()
    assert {m["body"] for m in body["messages"]} == {ALL}
    assert [n["text"] for n in body["notes"]] == [ALL]
    row = world["rows"][5]
    body = client.get(f"/api/v1/cases/{row['case'].pk}/").json()
    assert body["alias"] == fit(row["payload"], 40)
    assert body["contact_detail"] == fit(row["payload"], 200)
    looked_up = APIClient().post(
        "/api/v1/requests/lookup/", {"receipt_code": world["queued"][7]}, format="json"
    )
    assert looked_up.json()["messages"][0]["body"] == PAYLOADS[7].strip()


# ---------------------------------------------------------------- the roster


def admin_pages(client, url, **params) -> str:
    """Every page of a Wagtail listing, as one text (past the last page is a 404)."""
    pages = []
    for number in range(1, 21):
        response = client.get(url, {**params, "p": number})
        if response.status_code == 404:
            break
        pages.append(page_of(response, url))
    return "".join(pages)


def test_the_coordinator_reads_the_roster_as_written(world):
    client = signed_in(world["roster_coordinator"])
    page = page_of(client.get(reverse("programs:coordinate", args=[world["roster_program"].slug])))
    names = [fit(p, 80) for p in PAYLOADS]
    reasons = [fit(p, 200) for p in PAYLOADS[1::2]]
    assert_inert(page, *names, *[fit(p, 120) for p in PAYLOADS], *reasons)


def test_the_wagtail_roster_and_people_screens_show_the_roster_as_written(world):
    client = signed_in(world["roster_admin"])
    program = world["roster_program"]
    listing = admin_pages(client, reverse("roster:index"), program=program.pk)
    assert_inert(listing, *[fit(p, 80) for p in PAYLOADS], *[fit(p, 120) for p in PAYLOADS])
    people = admin_pages(client, reverse("people:index"), program=program.pk)
    assert_inert(people)
    coordinator = signed_in(world["roster_coordinator"])
    for payload, profile in list(zip(PAYLOADS, world["profiles"], strict=True))[::SLOW_STRIDE]:
        page = page_of(coordinator.get(reverse("roster:edit", args=[profile.pk])), payload)
        shown = [fit(payload, 80), fit(payload, 40), fit(payload, 200), payload]
        assert_inert(page, *shown, where=payload)


def test_a_status_reason_reads_as_written_in_the_roster_history(world):
    coordinator = signed_in(world["roster_coordinator"])
    profile = world["profiles"][0]
    url = reverse("roster:edit", args=[profile.pk])
    form = page_of(coordinator.get(url))
    data = {
        "display_name": profile.display_name,
        "new_status": "paused",
        "status_reason": fit(ALL, 200),
        "max_active_cases": "",
    }
    for channel in ("messages",):
        data[f"offers_{channel}"] = "on"
    saved = coordinator.post(url, data)
    assert saved.status_code == 302, re.findall(r"error[^<]{0,200}", saved.content.decode())[:5]
    assert_inert(form)
    assert_inert(page_of(coordinator.get(url)), fit(ALL, 200))


def test_the_roster_export_neutralises_every_formula_and_keeps_the_text(world):
    client = signed_in(world["roster_coordinator"])
    program = world["roster_program"]
    response = client.get(reverse("roster_csv:export", args=[program.pk]))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {exports.restore(row["display_name"]): row for row in rows}
    for payload in PAYLOADS:
        row = by_name[fit(payload, 80)]
        for column, value in [
            ("display_name", fit(payload, 80)),
            ("gender", fit(payload, 40)),
            ("availability", fit(payload, 200)),
            ("unit", fit(payload, 120)),
        ]:
            cell = row[column]
            assert not cell.startswith(exports.FORMULA_START), (column, cell)
            assert exports.restore(cell) == value, (column, cell)


def test_a_roster_import_reports_hostile_cells_as_text(world):
    client = signed_in(world["roster_coordinator"])
    program = world["roster_program"]
    lines = ["email,display_name,unit"] + [
        f'"{p[:20]}@x",' + '"' + fit(p, 80).replace('"', '""') + '","' + p.replace('"', '""') + '"'
        for p in PAYLOADS
    ]
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "roster.csv"
    response = client.post(reverse("roster_csv:index"), {"program": program.pk, "file": upload})
    assert_inert(page_of(response))


# ---------------------------------------------------------------- program settings


def _settings_program():
    program = make_program("hostile-settings", offers_phone=True)
    Unit.objects.create(program=program, name="North")
    return program


@pytest.fixture
def settings_world(world):
    program = _settings_program()
    coordinator = make_member(program, Role.COORDINATOR, email="coordinator@settings.example.org")
    admin = make_member(program, Role.ADMIN, email="admin@settings.example.org")
    case = submit_request(program, message="Could we talk?")
    return {
        "program": program,
        "coordinator": coordinator,
        "admin": admin,
        "receipt": case.receipt_code,
    }


def test_program_settings_read_as_written_to_requesters_staff_and_in_emails(settings_world):
    program = settings_world["program"]
    coordinator = signed_in(settings_world["coordinator"])
    admin = signed_in(settings_world["admin"])
    requester = Client()
    request_url = reverse("programs:request", args=[program.slug])
    status_url = reverse("programs:status", args=[program.slug])
    organisation = Organisation.objects.get(pk=program.organisation_id)
    for index, payload in enumerate(PAYLOADS):
        changes = {
            "name": fit(payload, 200),
            "unit_label": fit(payload, 40),
            "confidentiality_limits": payload,
            "crisis_phrases": payload,
            "expected_reply_time": fit(payload, 120),
            "staffed_hours": fit(payload, 200),
        }
        for field, value in changes.items():
            setattr(program, field, value)
        program.save(update_fields=list(changes))  # as the settings page saves
        Organisation.objects.filter(pk=organisation.pk).update(name=fit(payload, 200))
        name = fit(payload, 200)
        limits = page_of(requester.get(request_url), payload)
        assert_inert(limits, name, payload, where=payload)
        form = page_of(requester.post(request_url, {"step": "limits", "acknowledged": "on"}))
        assert_inert(form, name, fit(payload, 40), where=payload)
        status = page_of(requester.post(status_url, {"receipt_code": settings_world["receipt"]}))
        assert_inert(status, name, fit(payload, 120), fit(payload, 200), where=payload)
        queue = page_of(coordinator.get(reverse("programs:coordinate", args=[program.slug])))
        assert_inert(queue, name, where=payload)
        home = page_of(coordinator.get(reverse("programs:home")))
        assert_inert(home, name, where=payload)
        if index % SLOW_STRIDE == 0:
            edit = page_of(admin.get(reverse("program_settings:edit", args=[program.pk])))
            shown = [name, fit(payload, 40), payload, fit(payload, 120)]
            assert_inert(edit, *shown, where=payload)
            listing = page_of(admin.get(reverse("program_settings:index")))
            assert_inert(listing, name, where=payload)


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_every_email_carries_a_hostile_program_name_literally(settings_world, template):
    user = settings_world["coordinator"]
    mail.outbox = []
    for payload in PAYLOADS:
        name = looks_like(fit(payload, 200))
        send_staff_email.enqueue(
            user_ids=[user.pk],
            template=template,
            context={
                "program": name,
                "program_slug": "hostile-settings",
                "role": name,
                "requirement": name,
                "link": "https://example.org/i/x/",
                "days": 7,
                "months": 3,
                "urgent": True,
            },
        )
    assert len(mail.outbox) == len(PAYLOADS)
    for payload, message in zip(PAYLOADS, mail.outbox, strict=True):
        name = looks_like(fit(payload, 200))
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None)
        assert name in message.subject + "\n" + message.body, (template, payload)


# ---------------------------------------------------------------- help and training


def test_help_resources_and_training_read_as_written_everywhere(world):
    program = make_program("hostile-help")
    HelpResource.objects.bulk_create(
        HelpResource(
            program=program,
            name=fit(p, 120),
            kind="crisis" if i % 2 else "eap",
            phone=fit(p, 40),
            hours=fit(p, 80),
            description=fit(p, 240),
            sort_order=10 + i,
        )
        for i, p in enumerate(PAYLOADS)
    )
    requirements = TrainingRequirement.objects.bulk_create(
        TrainingRequirement(program=program, name=fit(p, 160), description=p, sort_order=10 + i)
        for i, p in enumerate(PAYLOADS)
    )
    peer = make_member(program, Role.SUPPORTER, email="peer@help.example.org")
    profile = SupporterProfile.objects.get(program=program, user=peer)
    soon = timezone.localdate() + timezone.timedelta(days=30)
    TrainingCompletion.objects.bulk_create(
        TrainingCompletion(
            supporter=profile,
            requirement=r,
            completed_on=timezone.localdate(),
            expires_on=soon,
            reference=fit(p, 120),
        )
        for r, p in zip(requirements, PAYLOADS, strict=True)
    )
    coordinator = make_member(program, Role.COORDINATOR, email="coordinator@help.example.org")
    names = [fit(p, 120) for p in PAYLOADS]
    crisis_names = names[1::2]
    requirement_names = [fit(p, 160) for p in PAYLOADS]
    limits = page_of(Client().get(reverse("programs:request", args=[program.slug])))
    assert_inert(limits, *names, *[fit(p, 80) for p in PAYLOADS], *[fit(p, 240) for p in PAYLOADS])
    case = submit_request(program, message="Could we talk?").case
    Case.objects.filter(pk=case.pk).update(
        assigned_to=profile, status=Case.Status.ACTIVE, crisis_flag=True
    )
    supporter = signed_in(peer)
    page = page_of(supporter.get(reverse("programs:caseload_case", args=[case.pk])))
    assert_inert(page, *names, *crisis_names)
    training = page_of(supporter.get(reverse("programs:caseload_training")))
    assert_inert(training, *requirement_names)
    coordinating = signed_in(coordinator)
    queue = page_of(coordinating.get(reverse("programs:coordinate", args=[program.slug])))
    assert_inert(queue)
    edit = page_of(coordinating.get(reverse("roster:edit", args=[profile.pk])))
    assert_inert(edit)  # the panel lists the latest 50
    ledger = admin_pages(coordinating, reverse("training:index"))
    assert_inert(ledger, *requirement_names)
    added = page_of(coordinating.get(reverse("training:add")))
    assert_inert(added, *requirement_names)
    admin = signed_in(make_member(program, Role.ADMIN, email="admin@help.example.org"))
    settings_page = page_of(admin.get(reverse("program_settings:edit", args=[program.pk])))
    assert_inert(settings_page, *names, *requirement_names, *PAYLOADS)


def test_a_help_resource_address_cannot_be_a_script(world):
    from django.core.exceptions import ValidationError

    program = world["program"]
    for address in (
        "javascript:__xss=1",
        "data:text/html,<script>__xss=1</script>",
        "vbscript:msgbox('xss')",
        " javascript:__xss=1",
    ):
        resource = HelpResource(program=program, name="Line", url=address)
        with pytest.raises(ValidationError):
            resource.full_clean()


@pytest.mark.parametrize("name", ["Fire\r\nBcc: evil@xss.example", "Fire\rBcc: <b>xss</b>"])
def test_a_line_break_in_a_program_name_stays_inside_the_email_subject(settings_world, name):
    send_staff_email.enqueue(
        user_ids=[settings_world["coordinator"].pk],
        template="request_offered",
        context={"program": name},
    )
    [message] = mail.outbox
    assert message.subject == "You have a new request in " + re.sub(r"[\r\n]+", " ", name)
    assert "Bcc" not in message.body
    assert message.bcc == []
