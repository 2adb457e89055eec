"""purge_expired: closed and withdrawn requests go once their retention has passed."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from programs.models import CaseEvent, CaseNote, ContactType, Message, SupportRequest
from programs.services import cases, intake
from tests.programs.test_intake_flow import take_on

pytestmark = pytest.mark.django_db


def purge() -> str:
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


@pytest.fixture
def three_requests(program, coordinator, supporter):
    """One closed (with a note), one withdrawn, one still open."""
    closed = intake.request_submit(program=program, message="closed one").request
    take_on(closed, coordinator, supporter)
    cases.note_add(
        request=closed,
        actor=supporter,
        contact_date=timezone.localdate(),
        contact_type=ContactType.PHONE,
        text="note",
    )
    cases.request_close(request=closed, actor=supporter, outcome="supported")
    withdrawn = intake.request_submit(program=program, message="withdrawn one").request
    intake.requester_withdraw(request=withdrawn)
    still_open = intake.request_submit(program=program, message="open one").request
    return closed, withdrawn, still_open


def test_nothing_is_purged_before_the_retention_period_ends(program, three_requests):
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days - 1)):
        assert purge() == "Deleted 0 expired requests.\n"
    assert SupportRequest.objects.count() == 3


def test_closed_and_withdrawn_requests_are_deleted_with_their_content_after_retention(
    program, three_requests
):
    closed, _withdrawn, still_open = three_requests
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days + 1)):
        assert purge() == "Deleted 2 expired requests.\n"
        assert purge() == "Deleted 0 expired requests.\n"
    assert list(SupportRequest.objects.all()) == [still_open]
    assert [m.body for m in Message.objects.all()] == ["open one"]
    assert not CaseNote.objects.exists()
    assert not CaseEvent.objects.filter(request_id=closed.pk).exists()


def test_each_program_keeps_requests_for_its_own_retention_period(program, other_program):
    other_program.retention_days = 400
    other_program.save(update_fields=["retention_days"])
    here = intake.request_submit(program=program).request
    there = intake.request_submit(program=other_program).request
    intake.requester_withdraw(request=here)
    intake.requester_withdraw(request=there)
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days + 1)):
        assert purge() == "Deleted 1 expired request.\n"
    assert list(SupportRequest.objects.all()) == [there]
