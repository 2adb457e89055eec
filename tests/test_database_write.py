"""toolkit.database.write_together: rows written in one go (the intake's statement) read back
exactly as the ORM would have saved them, are kept or lost together, and are one statement
on PostgreSQL."""

import contextlib
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

from privacy import ratelimit
from privacy.crypto import EncryptedTextField
from privacy.models import RateCount
from programs.models import Case, CaseEvent, Message, Program
from toolkit import database
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


def _as_is():
    return {**database._AS_IS, **database._AS_IS_ON.get(connection.vendor, {})}


@pytest.mark.parametrize(
    "field_class",
    sorted(database._AS_IS, key=lambda cls: cls.__name__),
    ids=lambda cls: cls.__name__,
)
def test_what_is_sent_as_it_is_is_what_djangos_own_preparation_gives(field_class):
    samples = {
        str: ["", "plain text", "07700 900123"],
        bool: [True, False],
        type(None): [None],
        datetime: [timezone.now(), datetime(2026, 1, 5, 9, 30, tzinfo=UTC)],
    }
    related = {"to": Program, "on_delete": models.CASCADE}
    field = field_class(null=True, **(related if field_class is models.ForeignKey else {}))
    field.set_attributes_from_name("sample")
    for kind in _as_is()[field_class]:
        for value in samples[kind]:
            prepared = field.get_db_prep_save(value, connection=connection)
            assert prepared == value and type(prepared) is type(value), (field_class, value)


def test_a_row_is_prepared_as_djangos_own_save_prepares_it(program):
    case, message, _event = _rows(program)
    case.preferred_gender = gettext_lazy("any")  # a lazy string: prepared by Django, not as is
    message.created_at = datetime(2026, 1, 5, 9, 30)  # naive: Django warns, makes it aware
    for row in (case, message):
        fields = [  # without an automatic key not set yet, as a save sends none
            f for f in type(row)._meta.local_concrete_fields if row.pk or not f.primary_key
        ]
        with pytest.warns(RuntimeWarning) if row is message else contextlib.nullcontext():
            _sql, params = insert_statement(row)
        with pytest.warns(RuntimeWarning) if row is message else contextlib.nullcontext():
            expected = [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
        for field, sent, wanted in zip(fields, params, expected, strict=True):
            if isinstance(field, EncryptedTextField):  # a fresh nonce each time: read back
                read = field.from_db_value
                assert read(sent, None, connection) == read(wanted, None, connection)
            else:
                assert sent == wanted and type(sent) is type(wanted), field.name
