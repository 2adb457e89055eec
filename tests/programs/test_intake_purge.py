"""purge_expired: what was said goes once retention has passed; anonymous counts stay."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from programs.models import Case, CaseEvent, CaseNote, ContactType, Message
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
    closed = intake.case_submit(program=program, message="closed one").case
    take_on(closed, coordinator, supporter)
    cases.note_add(
        case=closed,
        actor=supporter,
        contact_date=timezone.localdate(),
        contact_type=ContactType.PHONE,
        text="note",
    )
    cases.case_close(
        case=closed, actor=supporter, outcome="supported", closing_message="Take care."
    )
    withdrawn = intake.case_submit(program=program, message="withdrawn one").case
    intake.requester_withdraw(case=withdrawn)
    still_open = intake.case_submit(program=program, message="open one").case
    return closed, withdrawn, still_open


def test_nothing_is_purged_before_the_retention_period_ends(program, three_requests):
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days - 1)):
        assert purge() == "Purged 0 expired requests.\n"
    assert not Case.objects.filter(purged=True).exists()
    kept = Message.objects.exclude(sender=Message.Sender.PROGRAM)
    assert sorted(m.body for m in kept) == ["Take care.", "closed one", "open one"]
    # A day before: the person was warned in their conversation (issue 15).
    (warning,) = Message.objects.filter(sender=Message.Sender.PROGRAM)
    assert "will be deleted on" in warning.body


def test_closed_and_withdrawn_requests_lose_their_content_after_retention(program, three_requests):
    closed, withdrawn, still_open = three_requests
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days + 1)):
        assert purge() == "Purged 2 expired requests.\n"
        assert purge() == "Purged 0 expired requests.\n"
    assert set(Case.objects.filter(purged=True)) == {closed, withdrawn}
    assert [m.body for m in Message.objects.all()] == ["open one"]
    assert not CaseNote.objects.exists()
    assert not CaseEvent.objects.filter(case_id=closed.pk).exists()
    closed.refresh_from_db()
    assert closed.assigned_to is None and closed.alias == "" and closed.contact_detail == ""
    assert (closed.created_at.day, closed.created_at.hour) == (1, 0)
    assert still_open.messages.exists()


def test_a_purged_request_can_no_longer_be_opened_with_its_code(program):
    submission = intake.case_submit(program=program, message="soon gone")
    intake.requester_withdraw(case=submission.case)
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days + 1)):
        purge()
        assert intake.case_lookup(receipt_code=submission.receipt_code) is None
    assert Case.objects.get().receipt_hash.startswith("purged-")


def test_purging_does_not_change_past_report_counts(program, admin):
    from programs.services import reports

    for n in range(7):
        intake.requester_withdraw(
            case=intake.case_submit(program=program, message=f"r{n}", channel="messages").case
        )
    later = timezone.now() + timedelta(days=program.retention_days + 40)
    with time_machine.travel(later):
        before = reports.program_report(program=program, actor=admin)
        purge()
        after = reports.program_report(program=program, actor=admin)
    assert Case.objects.filter(purged=True).count() == 7
    assert before.total.count == 7  # large enough to be shown, so the comparison means something
    assert before == after


def test_each_program_keeps_requests_for_its_own_retention_period(program, other_program):
    other_program.retention_days = 400
    other_program.save(update_fields=["retention_days"])
    here = intake.case_submit(program=program).case
    there = intake.case_submit(program=other_program).case
    intake.requester_withdraw(case=here)
    intake.requester_withdraw(case=there)
    with time_machine.travel(timezone.now() + timedelta(days=program.retention_days + 1)):
        assert purge() == "Purged 1 expired request.\n"
    assert list(Case.objects.filter(purged=False)) == [there]


def test_a_purged_request_stays_in_the_month_of_the_site_time_zone(program, settings):
    settings.TIME_ZONE = "America/New_York"
    timezone.activate("America/New_York")
    try:
        made = timezone.make_aware(timezone.datetime(2026, 3, 31, 21, 0))  # April 1st in UTC
        case = intake.case_submit(program=program, message="late on the last day").case
        Case.objects.filter(pk=case.pk).update(
            status=Case.Status.WITHDRAWN, created_at=made, closed_at=made
        )
        with time_machine.travel(made + timedelta(days=program.retention_days + 1)):
            assert purge() == "Purged 1 expired request.\n"
        case.refresh_from_db()
        assert case.purged
        assert timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M") == "2026-03-01 00:00"
    finally:
        timezone.deactivate()
