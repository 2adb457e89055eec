"""toolkit.database.write_together: rows written in one go (the intake's statement) read back
exactly as the ORM would have saved them, are kept or lost together, and are one statement
on PostgreSQL."""

import pytest
from django.db import connection, transaction
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
        assert len(queries) == 1  # the three rows and the count in one statement

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


def test_a_failing_row_keeps_none_of_the_others(program):
    case, message, _event = _rows(program)
    Case.objects.create(
        program=program,
        receipt_hash=case.receipt_hash,
        created_at=timezone.now(),
        requester_seen_at=timezone.now(),
    )  # taken already
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
