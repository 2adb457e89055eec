"""The audit trail: sensitive actions are written, admins read their own program's trail
(and that reading is written too), supporters see who else opened their cases."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programs.models import AuditEntry, CaseAccess, Membership, Role, SupporterProfile
from programs.services import cases, intake, members, roster
from tests.factories import make_member
from tests.programs.test_wagtail_admin import _program_form, as_user

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
SECRET = "I keep seeing the crash when I close my eyes"


def _actions(program, action):
    return list(AuditEntry.objects.filter(program=program, action=action))


@pytest.fixture
def case(program, coordinator, supporter):
    """A request with words in it, offered to the supporter and accepted."""
    case = intake.case_submit(program=program, message=SECRET).case
    cases.case_offer(
        case=case, supporter=SupporterProfile.objects.get(user=supporter), actor=coordinator
    )
    cases.case_accept(case=case, actor=supporter)
    return case


def short(case):
    return str(case.pk)[:8]


# Each sensitive action writes a row --------------------------------------------------


def test_an_assignment_and_a_reassignment_are_recorded(
    program, coordinator, supporter, other_supporter, case
):
    (first,) = _actions(program, Action.ASSIGNMENT)
    assert first.actor == coordinator
    assert first.target == f"#{short(case)}"
    assert first.data["reassigned"] is False
    cases.case_offer(
        case=case,
        supporter=SupporterProfile.objects.get(user=other_supporter),
        actor=coordinator,
    )
    latest = _actions(program, Action.ASSIGNMENT)[0]
    assert latest.data["reassigned"] is True
    assert SECRET not in str(latest.data) + latest.target


def test_an_automatic_assignment_is_recorded_without_an_actor(program, supporter):
    program.auto_assign = True
    program.save(update_fields=["auto_assign"])
    case = intake.case_submit(program=program, message=SECRET).case
    cases.case_route(case_id=case.pk)
    (entry,) = _actions(program, Action.ASSIGNMENT)
    assert entry.actor is None and entry.data["automatic"] is True


def test_giving_and_taking_a_role_is_recorded(program, admin):
    user, _ = members.user_get_or_create(email="new-coordinator@example.org")
    membership, _ = members.membership_grant(
        program=program, user=user, role=Role.COORDINATOR, actor=admin
    )
    members.membership_revoke(membership=membership, actor=admin)
    changes = [(e.target, e.data["change"], e.actor) for e in _actions(program, Action.ROLE_CHANGE)]
    assert changes[:2] == [
        ("new-coordinator@example.org", "removed", admin),
        ("new-coordinator@example.org", "granted", admin),
    ]


def test_a_roster_status_move_is_recorded_without_its_reason(program, coordinator, supporter):
    profile = SupporterProfile.objects.get(user=supporter)
    roster.supporter_status_set(
        supporter=profile, status="paused", actor=coordinator, reason="family illness"
    )
    (entry,) = _actions(program, Action.ROSTER_STATUS)
    assert entry.data == {"from": "active", "to": "paused"}
    assert entry.actor == coordinator
    assert "illness" not in str(entry.data) + entry.target


def test_a_settings_change_records_which_settings_not_their_values(client, admin, program):
    client = as_user(client, admin)
    data = _program_form(client, program)
    data.update(name="City Fire Peer Team", default_caseload_cap="3")
    response = client.post(reverse("program_settings:edit", args=[program.pk]), data)
    assert response.status_code == 302
    (entry,) = _actions(program, Action.SETTINGS)
    assert entry.actor == admin
    assert entry.data == {"fields": ["default_caseload_cap", "name"]}


def test_a_key_rotation_is_recorded_in_every_program(program, other_program):
    call_command("rotate_data_key", stdout=io.StringIO())
    assert len(_actions(program, Action.KEY_ROTATION)) == 1
    assert len(_actions(other_program, Action.KEY_ROTATION)) == 1
    call_command("rotate_data_key", "--check", stdout=io.StringIO())
    assert len(_actions(program, Action.KEY_ROTATION)) == 1  # a check changes nothing


def test_the_purge_of_requests_is_recorded_by_count(program):
    for n in range(3):
        intake.requester_withdraw(case=intake.case_submit(program=program, message=f"r{n}").case)
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days + 1)):
        call_command("purge_expired", stdout=io.StringIO())
    (entry,) = _actions(program, Action.PURGE)
    assert entry.data == {"requests": 3}


def test_audit_rows_past_retention_are_purged_and_the_purge_recorded_by_count(
    program, other_program, case, supporter
):
    old_access = CaseAccess.objects.filter(program=program).count()
    old_entries = AuditEntry.objects.filter(program=program).count()
    assert old_access and old_entries
    other_program.audit_retention_days = 5000
    other_program.save(update_fields=["audit_retention_days"])
    other_entry = AuditEntry.objects.create(program=other_program, action=Action.SETTINGS)
    with time_machine.travel(timezone.now() + timedelta(days=program.audit_retention_days + 1)):
        cases.audit(case=case, actor=supporter, action=CaseAccess.Action.VIEW)  # recent
        out = io.StringIO()
        call_command("purge_expired", stdout=out)
    assert f"Removed {old_access + old_entries} audit rows" in out.getvalue()
    assert CaseAccess.objects.filter(program=program).count() == 1
    (purge,) = _actions(program, Action.PURGE)
    assert purge.data == {"audit_entries": old_entries, "case_accesses": old_access}
    assert AuditEntry.objects.filter(pk=other_entry.pk).exists()  # its own, longer retention


# Reading the trail ---------------------------------------------------------------------


def test_an_admin_sees_who_opened_a_case_by_its_short_number_and_no_content(
    client, program, admin, coordinator, supporter, case
):
    client.force_login(supporter)
    client.get(reverse("programs:caseload_case", args=[case.pk]))
    client.force_login(admin)
    response = client.get(reverse("programs:audit", args=[program.slug]), {"case": short(case)})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Request {short(case)}" in html
    assert "supporter@example.org" in html and "Supporter" in html
    assert "coordinator@example.org" in html and "Coordinator" in html
    assert "Viewed" in html and "Assigned" in html
    assert SECRET not in html
    (read,) = _actions(program, Action.AUDIT_VIEW)
    assert read.actor == admin and read.target == f"#{short(case)}"


def test_the_action_list_filters_by_kind_and_date_and_is_paged(
    client, program, admin, other_program
):
    now = timezone.now()
    for n in range(60):
        AuditEntry.objects.create(
            program=program, action=Action.EXPORT, target=f"export-{n}", at=now - timedelta(days=1)
        )
    AuditEntry.objects.create(
        program=program, action=Action.SETTINGS, target="old-change", at=now - timedelta(days=40)
    )
    AuditEntry.objects.create(program=other_program, action=Action.EXPORT, target="theirs")
    client.force_login(admin)
    url = reverse("programs:audit", args=[program.slug])
    html = client.get(url, {"action": "export"}).content.decode()
    assert "<td>export-10</td>" in html and "<td>export-9</td>" not in html  # 50 a page
    assert "Page 1 of 2" in html and "old-change" not in html and "theirs" not in html
    second = client.get(url, {"action": "export", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and "<td>export-9</td>" in second
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    recent = client.get(url, {"action": "settings", "since": since}).content.decode()
    assert "old-change" not in recent
    older = client.get(url, {"action": "settings"}).content.decode()
    assert "old-change" in older


@pytest.mark.parametrize("who", ["other_program_admin", "coordinator", "supporter", "outsider"])
def test_only_the_programs_own_admins_can_read_its_trail(client, request, program, case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("programs:audit", args=[program.slug])).status_code == 404
    api = client.get(reverse("api:audit", args=[program.slug]))
    assert api.status_code == (403 if who in ("coordinator", "supporter") else 404)
    assert not _actions(program, Action.AUDIT_VIEW)


def test_another_programs_case_number_finds_nothing(client, program, other_program, case):
    other_admin = make_member(other_program, Role.ADMIN, email="their-admin@example.org")
    client.force_login(other_admin)
    response = client.get(
        reverse("programs:audit", args=[other_program.slug]), {"case": short(case)}
    )
    assert "No case in this program has that number." in response.content.decode()


def test_the_api_gives_the_same_trail_paged_and_filtered_and_records_the_read(
    client, program, admin, coordinator, case
):
    client.force_login(admin)
    url = reverse("api:audit", args=[program.slug])
    body = client.get(url, {"action": "assignment", "case": short(case)}).json()
    assert body["count"] == 1 and body["page"] == 1
    assert body["results"][0]["target"] == f"#{short(case)}"
    assert body["results"][0]["actor"] == "coordinator@example.org"
    (found,) = body["case_access"]
    assert found["case"] == short(case)
    assert {"Coordinator"} <= {role for row in found["accesses"] for role in row["roles"]}
    assert SECRET not in str(body)
    assert client.get(url, {"action": "nonsense"}).status_code == 400
    assert client.get(url, {"page": 9}).status_code == 400
    assert client.get(url, {"who": "x"}).status_code == 400
    (read,) = _actions(program, Action.AUDIT_VIEW)
    assert read.data["via"] == "api"


# A supporter's own cases ---------------------------------------------------------------


def test_a_supporter_sees_who_else_opened_their_case_by_role_not_name(
    client, program, admin, coordinator, supporter, case
):
    client.force_login(coordinator)
    cases.audit(case=case, actor=coordinator, action=CaseAccess.Action.VIEW)
    client.force_login(supporter)
    html = client.get(reverse("programs:caseload_case", args=[case.pk])).content.decode()
    section = html.split('id="access-heading"')[1].split("</section>")[0]
    assert "Coordinator" in section and "Viewed" in section
    assert "coordinator@example.org" not in section


def test_a_supporter_cannot_see_access_to_someone_elses_case(
    client, program, coordinator, other_supporter, case
):
    client.force_login(other_supporter)
    response = client.get(reverse("programs:caseload_case", args=[case.pk]))
    assert response.status_code == 404


def test_membership_roles_are_what_the_trail_shows(program, admin, case):
    from programs.selectors_audit import case_access_for_admin

    Membership.objects.filter(user=admin, program=program).delete()
    cases.audit(case=case, actor=admin, action=CaseAccess.Action.VIEW)
    rows = case_access_for_admin(program=program, case=case)
    assert rows[0].roles == ["No longer a member"]


def test_closing_a_program_is_a_settings_change_in_its_trail(program, admin):
    from programs.services import launch

    launch.program_close(program=program, actor=admin)
    (entry,) = _actions(program, Action.SETTINGS)
    assert entry.data == {"state": ["open", "closed"]} and entry.actor == admin
