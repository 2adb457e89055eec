"""The intake as it runs in production: outside any transaction, its rows and counts are one
statement on PostgreSQL with no BEGIN or COMMIT around it (in turn, in a transaction of
their own, on SQLite). A replayed form or a used-up limit is refused by the database
itself, keeps nothing, and leaves the connection usable for the next requester.

Transactional (the other tests run inside a transaction, where the intake takes a
savepoint), so it runs after them and makes its own program."""

import pytest
from django.db import connection

from privacy import formtokens, ratelimit
from programs.models import Case, Message
from programs.services import intake
from tests.factories import program_prebuilt

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def program(transactional_site):
    return program_prebuilt("city-fire")


def _form(program):
    purpose = f"request:{program.pk}"
    return formtokens.check(formtokens.issue(purpose), purpose)


def test_outside_a_transaction_a_refused_intake_keeps_nothing(program):
    assert not connection.in_atomic_block  # as under gunicorn: autocommit
    program.intake_limit_per_hour = 2
    program.save()
    form = _form(program)
    seen = []

    def note(execute, sql, params, many, context):
        if 'INTO "programs_case"' in sql:  # whether a transaction is open as it runs
            seen.append((sql, connection.get_autocommit()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        intake.case_submit(program=program, message="First words", client_key="k", form_token=form)
    [(sql, autocommit)] = seen
    if connection.vendor == "postgresql":
        assert sql.startswith("WITH ")  # the message, the task and the counts with it
        assert autocommit  # one statement, atomic by itself: no BEGIN, no COMMIT
    else:
        assert not autocommit  # SQLite: its statements in turn, in one transaction

    with pytest.raises(formtokens.Replayed):
        intake.case_submit(program=program, message="Sent twice", client_key="k", form_token=form)
    intake.case_submit(
        program=program, message="Second words", client_key="k", form_token=_form(program)
    )
    with pytest.raises(ratelimit.RateLimited):
        intake.case_submit(
            program=program, message="One too many", client_key="k", form_token=_form(program)
        )

    assert Case.objects.filter(program=program).count() == 2
    assert sorted(Message.objects.values_list("body", flat=True)) == [
        "First words",
        "Second words",
    ]
    # Another client of the same program is still let through, and its count starts at 1.
    intake.case_submit(program=program, message="Someone else", client_key="other")
    assert Case.objects.filter(program=program).count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_once_prepared_the_intakes_statement_still_refuses_a_used_up_limit(program):
    """After two runs on a connection PostgreSQL keeps the statement prepared (settings:
    DATABASE_PREPARE_THRESHOLD); a prepared statement refuses as the plain one does."""
    program.intake_limit_per_hour = 4
    program.save()

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['WITH w0 AS (INSERT INTO "programs_case"%'],
            )
            return cursor.fetchone()[0]

    for n in range(4):
        intake.case_submit(program=program, message=f"Words {n}", client_key="same")
    assert prepared() == 1  # the same statement each time: prepared once
    with pytest.raises(ratelimit.RateLimited):
        intake.case_submit(program=program, message="One too many", client_key="same")
    assert Case.objects.filter(program=program).count() == 4
    assert not Message.objects.filter(body="One too many").exists()
    intake.case_submit(program=program, message="Someone else", client_key="another")
    assert Case.objects.filter(program=program).count() == 5
