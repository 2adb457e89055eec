"""Adding people to the roster: one rule for the admin CSV import, the API and the web."""

import pytest
from django.core.exceptions import PermissionDenied

from programs.models import SupporterProfile
from programs.services import members

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_admins_and_coordinators_add_a_new_person_as_an_applicant(request, program, who):
    actor = request.getfixturevalue(who)
    profile, added = members.supporter_add(program=program, email="New@Example.org", actor=actor)
    assert added and profile.status == SupporterProfile.Status.APPLICANT
    assert profile.user.email == "new@example.org"
    again, added_again = members.supporter_add(
        program=program, email="new@example.org", actor=actor
    )
    assert again == profile and not added_again


@pytest.mark.parametrize("who", ["supporter", "other_program_admin", "outsider"])
def test_nobody_else_can_add_to_the_roster(request, program, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        members.supporter_add(program=program, email="new@example.org", actor=actor)
    assert not SupporterProfile.objects.filter(user__email="new@example.org").exists()
