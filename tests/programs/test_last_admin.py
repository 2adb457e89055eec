"""A program keeps at least one admin, whichever way a role is taken away."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from programs import permissions
from programs.models import Membership, Role
from programs.services import members

pytestmark = pytest.mark.django_db

REFUSAL = "A program needs at least one admin. Add another admin first."


def _only_admin(program, admin):
    """Leave `admin` as the program's one admin (the bootstrap admin is removed)."""
    Membership.objects.filter(program=program, role=Role.ADMIN).exclude(user=admin).delete()
    return Membership.objects.get(user=admin, program=program, role=Role.ADMIN)


def test_the_service_refuses_to_remove_the_last_admin(program, admin):
    own = _only_admin(program, admin)
    with pytest.raises(ValidationError, match="at least one admin"):
        members.membership_revoke(membership=own)
    assert Membership.objects.filter(pk=own.pk).exists()
    assert permissions.user_can(admin, permissions.ADMINISTER, program)


def test_the_service_removes_an_admin_while_another_remains(program, admin):
    own = Membership.objects.get(user=admin, program=program, role=Role.ADMIN)
    members.membership_revoke(membership=own)
    assert not Membership.objects.filter(pk=own.pk).exists()
    admin = get_user_model().objects.get(pk=admin.pk)
    assert not permissions.user_can(admin, permissions.ADMINISTER, program)


def test_the_admin_screen_says_why_the_last_admin_stays(client, admin, program):
    own = _only_admin(program, admin)
    client.force_login(admin)
    response = client.post(reverse("people:delete", args=[own.pk]), follow=True)
    assert REFUSAL in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_the_command_refuses_to_remove_the_last_admin(program, admin):
    own = _only_admin(program, admin)
    with pytest.raises(CommandError, match="at least one admin"):
        call_command("remove_member", program.slug, admin.email, "--role", Role.ADMIN)
    assert Membership.objects.filter(pk=own.pk).exists()


def test_the_command_removes_a_role(program, coordinator):
    call_command("remove_member", program.slug, coordinator.email, "--role", Role.COORDINATOR)
    assert not Membership.objects.filter(user=coordinator, role=Role.COORDINATOR).exists()
