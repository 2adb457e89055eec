"""The request form's fields are fitted once per reading of a program and copied for each
form: a change to the program shows in the next form, one form's change never reaches
another, and one program's choices never show in another's form."""

import pytest

from programs import selectors
from programs.forms import IntakeForm
from programs.models import Program, Unit

pytestmark = pytest.mark.django_db


def form_for(program):
    return IntakeForm(program=selectors.program_get_public(slug=program.slug, memo=True))


def test_a_unit_and_a_way_of_meeting_added_show_in_the_next_form(program):
    Unit.objects.filter(program=program).delete()
    Program.objects.filter(pk=program.pk).update(
        offers_phone=False, offers_email=False, offers_video=False, offers_in_person=False
    )
    program.refresh_from_db()
    program.save()  # as an admin's save would: it stamps the program
    before = form_for(program)
    assert "excluded_unit" not in before.fields
    assert "contact_detail" not in before.fields

    Unit.objects.create(program=program, name="Harbour station")
    program.refresh_from_db()
    program.offers_phone = True
    program.save()
    after = form_for(program)
    assert [unit.name for unit in after.fields["excluded_unit"].queryset] == ["Harbour station"]
    assert "contact_detail" in after.fields
    assert "phone" in [value for value, _label in after.fields["channel"].choices]


def test_one_forms_change_to_a_field_never_reaches_the_next_form(program):
    first = form_for(program)
    first.fields["message"].label = "Changed for one requester"
    first.fields["message"].initial = "What one requester wrote"
    second = form_for(program)
    assert second.fields["message"].label != "Changed for one requester"
    assert second.fields["message"].initial is None
    # The widgets are shared, so they cannot be changed at all.
    with pytest.raises(TypeError):
        second.fields["message"].widget.attrs["placeholder"] = "Shared by every form"
    assert "Shared by every form" not in form_for(program).as_div()


def test_a_programs_form_never_offers_another_programs_units(program, other_program):
    Unit.objects.create(program=program, name="Marker station A")
    Unit.objects.create(program=other_program, name="Marker ward B")
    for own, other in ((program, "Marker ward B"), (other_program, "Marker station A")):
        page = form_for(own).as_div()
        assert other not in page
    assert "Marker station A" in form_for(program).as_div()
    assert "Marker ward B" in form_for(other_program).as_div()


def test_a_form_for_a_program_read_afresh_is_fitted_afresh(program):
    """Without the memo (no reading to key on), the form is fitted each time."""
    Unit.objects.filter(program=program).delete()
    plain = Program.objects.get(pk=program.pk)
    assert "excluded_unit" not in IntakeForm(program=plain).fields
    Unit.objects.create(program=program, name="Night shift")
    assert "excluded_unit" in IntakeForm(program=Program.objects.get(pk=program.pk)).fields
