"""A supporter's own cap on active cases has one range, whether set in the admin or by CSV."""

import pytest
from django.core.exceptions import ValidationError

from programs.admin.forms import RosterForm
from programs.services import roster_csv
from tests.factories import make_active_supporter

pytestmark = pytest.mark.django_db


def _admin_form_accepts(profile, coordinator, value) -> bool:
    form = RosterForm(instance=profile, for_user=coordinator)
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["max_active_cases"] = value
    form = RosterForm(data, instance=profile, for_user=coordinator)
    valid = form.is_valid()
    assert valid or set(form.errors) == {"max_active_cases"}, form.errors
    return valid


def _csv_accepts(program, coordinator, email, value) -> bool:
    report = roster_csv.roster_import(
        program=program,
        actor=coordinator,
        csv_text=f"email,max_active_cases\n{email},{value}\n",
        dry_run=True,
    )
    return report.ok


def _model_accepts(profile, value) -> bool:
    profile.max_active_cases = value
    try:
        profile.full_clean()
    except ValidationError as exc:
        assert set(exc.message_dict) == {"max_active_cases"}
        return False
    return True


@pytest.mark.parametrize(("value", "allowed"), [(0, False), (1, True), (50, True), (51, False)])
def test_the_admin_form_the_csv_import_and_the_model_agree_on_the_caseload_cap(
    program, coordinator, value, allowed
):
    profile = make_active_supporter(program, email="cap@example.org")
    assert _admin_form_accepts(profile, coordinator, value) is allowed
    assert _csv_accepts(program, coordinator, "cap@example.org", value) is allowed
    assert _model_accepts(profile, value) is allowed


def test_a_csv_row_over_the_cap_says_the_range(program, coordinator):
    report = roster_csv.roster_import(
        program=program,
        actor=coordinator,
        csv_text="email,max_active_cases\ncap@example.org,51\n",
        dry_run=True,
    )
    assert report.rows[0].errors == [
        "max_active_cases: Use a whole number from 1 to 50, or leave empty."
    ]
