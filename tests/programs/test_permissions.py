"""programs.permissions: roles map to per-program permissions, granted and revoked by services."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import Http404
from guardian.models import UserObjectPermission

from programs import permissions
from programs.models import Membership, Role
from programs.services import cases, members
from tests.factories import make_member, submit_request

pytestmark = pytest.mark.django_db


def perms_in(user, program) -> set[str]:
    user = get_user_model().objects.get(pk=user.pk)  # guardian caches on the instance
    return {p for p in permissions.ALL_PERMISSIONS if permissions.user_can(user, p, program)}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_gets_exactly_its_permissions(program, role):
    person = make_member(program, role, email=f"{role}-person@example.org")
    assert perms_in(person, program) == permissions.ROLE_PERMISSIONS[role]


def test_roles_give_nothing_in_another_program(admin, coordinator, supporter, other_program):
    for person in (admin, coordinator, supporter):
        assert perms_in(person, other_program) == set()
        assert other_program not in permissions.programs_with_any(
            person, permissions.ALL_PERMISSIONS
        )


def test_outsiders_inactive_people_and_anonymous_visitors_hold_nothing(
    program, outsider, coordinator
):
    from django.contrib.auth.models import AnonymousUser

    assert perms_in(outsider, program) == set()
    assert not permissions.programs_for(AnonymousUser(), permissions.TRIAGE).exists()
    coordinator.is_active = False
    coordinator.save()
    assert perms_in(coordinator, program) == set()
    assert not permissions.programs_for(coordinator, permissions.TRIAGE).exists()


def test_one_person_holds_different_roles_in_different_programs(program, other_program):
    person = make_member(program, Role.ADMIN, email="both@example.org")
    members.membership_grant(program=other_program, user=person, role=Role.SUPPORTER)
    assert list(permissions.programs_for(person, permissions.ADMINISTER)) == [program]
    assert list(permissions.programs_for(person, permissions.HOLD_CASELOAD)) == [other_program]
    assert not permissions.user_can(person, permissions.HOLD_CASELOAD, program)
    assert not permissions.user_can(person, permissions.ADMINISTER, other_program)


def test_revoking_one_role_keeps_what_the_other_role_gives(program):
    person = make_member(program, Role.ADMIN, email="admin-and-coordinator@example.org")
    members.membership_grant(program=program, user=person, role=Role.COORDINATOR)
    assert permissions.TRIAGE in perms_in(person, program)
    members.membership_revoke(
        membership=Membership.objects.get(user=person, program=program, role=Role.COORDINATOR)
    )
    remaining = perms_in(person, program)
    assert permissions.TRIAGE not in remaining
    # Both roles give the roster permission; the admin role still does.
    assert remaining == permissions.ROLE_PERMISSIONS[Role.ADMIN]
    assert person.groups.filter(name=members.STAFF_GROUP).exists()


def test_revoking_a_role_in_one_program_leaves_the_other_program_alone(program, other_program):
    person = make_member(program, Role.COORDINATOR, email="two-places@example.org")
    members.membership_grant(program=other_program, user=person, role=Role.ADMIN)
    members.membership_revoke(membership=Membership.objects.get(user=person, program=program))
    assert perms_in(person, program) == set()
    assert perms_in(person, other_program) == permissions.ROLE_PERMISSIONS[Role.ADMIN]


def test_revoking_the_last_staff_role_closes_the_admin_and_the_programs_pages(program):
    person = make_member(program, Role.ADMIN, email="leaving@example.org")
    content = Group.objects.get(name=members.moderators_group_name(program))
    assert set(person.groups.all()) >= {content, Group.objects.get(name=members.STAFF_GROUP)}
    members.membership_revoke(membership=Membership.objects.get(user=person))
    assert not person.groups.exists()
    assert not UserObjectPermission.objects.filter(user=person).exists()


def test_granting_twice_changes_nothing(program, outsider):
    members.membership_grant(program=program, user=outsider, role=Role.COORDINATOR)
    rows = UserObjectPermission.objects.filter(user=outsider).count()
    _membership, granted = members.membership_grant(
        program=program, user=outsider, role=Role.COORDINATOR
    )
    assert not granted
    assert UserObjectPermission.objects.filter(user=outsider).count() == rows


def test_an_unknown_role_is_refused_and_nothing_saved(program, outsider):
    with pytest.raises(ValidationError):
        members.membership_grant(program=program, user=outsider, role="owner")
    assert not Membership.objects.filter(user=outsider).exists()
    assert not UserObjectPermission.objects.filter(user=outsider).exists()


def test_cases_are_visible_to_their_supporter_and_the_programs_coordinators_only(
    program,
    admin,
    coordinator,
    supporter,
    other_supporter,
    other_program_admin,
    other_program_coordinator,
):
    case = submit_request(program).case
    profile = supporter.supporter_profiles.get(program=program)
    cases.case_offer(case=case, supporter=profile, actor=coordinator)
    for person in (supporter, coordinator):
        assert permissions.require_case(person, case.pk) == case
    for person in (admin, other_supporter, other_program_admin, other_program_coordinator):
        assert not permissions.can_view_case(person, case)
        with pytest.raises(Http404):
            permissions.require_case(person, case.pk)
