"""toolkit.database.write_together: rows written in one go (the intake's statement) read back
exactly as the ORM would have saved them, are kept or lost together, and are one statement
on PostgreSQL."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy import ratelimit
from privacy.models import RateCount
from programs.models import Case, CaseEvent, Message
from toolkit.database import insert_statement, write_together

pytestmark = pytest.mark.django_db


def _rows(program):
    case = Case(
        program=program,
        receipt_hash="f" * 64,
        contact_detail="07700 900123",
        alias="Sam",
        wants_shared_experience=True,
        preferred_gender="any",
        created_at=timezone.now(),
        requester_seen_at=timezone.now(),
    )
    message = Message(
        case=case,
        sender=Message.Sender.REQUESTER,
        body="A hard week at work.",
        created_at=case.created_at,
    )
    event = CaseEvent(case=case, kind=CaseEvent.Kind.FLAGGED, created_at=case.created_at)
    return case, message, event


def _count_statement():
    expiries = ratelimit.planned(("test:together", 5, 60)).expiries
    return ratelimit.DatabaseCounter.hit_statement(expiries), next(iter(expiries))


def test_rows_written_together_read_back_as_saved_ones_do(program):
    case, message, event = _rows(program)
    last, key = _count_statement()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        counts = write_together([insert_statement(r) for r in (case, message, event)], last)
    assert dict(counts) == {key: 1}
    if connection.vendor == "postgresql":
        # The three rows and the count in one statement; inside the caller's transaction
        # (here the test's) it is a savepoint of its own.
        writes = [q for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert len(writes) == 1

    stored = Case.objects.get(pk=case.pk)
    # Encrypted at rest, readable through the model, defaults and choices as on a save.
    assert stored.contact_detail == "07700 900123" and stored.alias == "Sam"
    assert stored.status == Case.Status.QUEUED and stored.wants_shared_experience is True
    assert stored.created_at is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name('contact_detail')} FROM "  # noqa: S608
            f"{Case._meta.db_table} WHERE id = %s",
            [case.pk.hex if connection.vendor == "sqlite" else case.pk],
        )
        assert "07700" not in str(cursor.fetchone()[0])
    assert [m.body for m in stored.messages.all()] == ["A hard week at work."]
    assert list(stored.events.values_list("kind", flat=True)) == [CaseEvent.Kind.FLAGGED]


def _take_receipt_of(case):
    """Another case with the same receipt digest, so that writing `case` fails."""
    Case.objects.create(
        program=case.program,
        receipt_hash=case.receipt_hash,
        created_at=timezone.now(),
        requester_seen_at=timezone.now(),
    )


def test_a_failing_row_keeps_none_of_the_others(program):
    case, message, _event = _rows(program)
    _take_receipt_of(case)
    last, key = _count_statement()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017, PT011
        write_together([insert_statement(r) for r in (case, message)], last)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Message.objects.filter(case_id=case.pk).exists()
    assert not RateCount.objects.filter(key=key).exists()


def test_a_value_that_is_an_expression_is_compiled_as_the_orm_would(program):
    case, _message, _event = _rows(program)
    case.created_at = Now()
    last, _key = _count_statement()
    with transaction.atomic():
        write_together([insert_statement(case)], last)
    assert Case.objects.get(pk=case.pk).created_at is not None


def test_a_count_past_its_ceiling_refuses_the_rows_and_the_callers_work_goes_on(program):
    """The intake's limits and one-time tokens: the database refuses the whole statement,
    and a caller inside a transaction of its own can still read and write after it."""
    expiries = ratelimit.planned(("test:ceiling", 1, 60)).expiries
    key = next(iter(expiries))
    first, _event, _unused = _rows(program)
    with transaction.atomic():
        write_together(
            [insert_statement(first)],
            ratelimit.DatabaseCounter.hit_statement(expiries, ceilings={key: 1}),
        )
        case, message, _event = _rows(program)
        case.receipt_hash = "e" * 64
        with pytest.raises(IntegrityError) as refusal:
            write_together(
                [insert_statement(r) for r in (case, message)],
                ratelimit.DatabaseCounter.hit_statement(expiries, ceilings={key: 1}),
            )
        assert ratelimit.refused(refusal.value)
        # Still usable: the refusal undid only its own statement.
        assert list(Case.objects.filter(program=program).values_list("pk", flat=True)) == [first.pk]
        assert not Message.objects.filter(case_id=case.pk).exists()
        assert RateCount.objects.get(key=key).count == 1
        # Counting on without a ceiling is never refused.
        assert ratelimit.DatabaseCounter().hit_many(expiries) == {key: 2}


def test_another_integrity_error_is_not_taken_for_a_refused_count(program):
    case, _message, _event = _rows(program)
    _take_receipt_of(case)
    last, _key = _count_statement()
    with pytest.raises(IntegrityError) as failure:
        write_together([insert_statement(case)], last)
    assert not ratelimit.refused(failure.value)
