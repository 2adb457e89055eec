"""Writing several rows in one go (`insert_statement`, `write_together`: the intake's one
statement), and keeping the database's query planner informed.

PostgreSQL's autovacuum gathers table statistics by itself. SQLite gathers none until
ANALYZE runs, and without them it guesses: for a coordinator's queue it then pairs every
supporter with every case of the program before filtering, about ten times the work. The
daily `purge_expired` job calls `refresh_statistics()`, and so do the benchmarks once they
have filled their scratch database.
"""

import contextlib
import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import NOT_PROVIDED


def refresh_statistics() -> None:
    """Refresh the planner's statistics where the database does not do it itself."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def insert_statement(obj) -> tuple[str, list]:
    """The INSERT that saving this new instance would run, but not run, returning nothing:
    its primary key is set already, or not needed. For `write_together`.

    Every field is prepared as a save prepares it (pre_save, then get_db_prep_save:
    defaults, auto_now_add, encryption, JSON). The statement's text is compiled by the ORM
    once per model and connection vendor and kept (compiling it cost more than running it);
    a row with a value the text cannot carry as a plain parameter (an expression, a field
    with its own placeholder) is compiled afresh.

    `pre_save` is sent, as a save sends it (django-tasks-db's queue fills in a task's
    run_after there); `post_save` is not: the caller does itself what its receivers would
    have done (the intake raises its program's data version)."""
    from django.db.models.signals import pre_save

    model, db = type(obj), connections[DEFAULT_DB_ALIAS]  # looked up once, not per field
    pre_save.send(sender=model, instance=obj, raw=False, using=db.alias, update_fields=None)
    fields, sql = _insert_plan(db.vendor, model, with_pk=obj.pk is not None)
    values = [field.pre_save(obj, True) for field in fields]
    if sql is None or any(hasattr(value, "resolve_expression") for value in values):
        return _compiled_insert(obj, fields)
    return sql, [
        field.get_db_prep_save(value, connection=db)
        for field, value in zip(fields, values, strict=True)
    ]


@functools.cache
def _insert_plan(vendor: str, model, *, with_pk: bool) -> tuple[tuple, str | None]:
    """The fields a one-row INSERT of this model writes, and its kept text, each value a
    plain %s (None where a field has its own placeholder or a database default)."""
    fields = tuple(
        field
        for field in model._meta.local_concrete_fields
        if with_pk or not (field.primary_key and field.db_returning)
    )
    text = None
    if not any(
        hasattr(field, "get_placeholder") or field.db_default is not NOT_PROVIDED
        for field in fields
    ):
        sql, params = _compiled_insert(model(), fields)
        text = sql if len(params) == len(fields) else None
    return fields, text


def _compiled_insert(obj, fields) -> tuple[str, list]:
    from django.db.models.sql import InsertQuery

    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def write_together(statements: list[tuple[str, list]], last: tuple[str, list]) -> list[tuple]:
    """Run the statements, then `last`, all applied or none; return the rows `last` returns.

    On PostgreSQL they are one statement (each an INSERT in a WITH clause of `last`), which
    is atomic by itself: outside a transaction it is one round trip, with no BEGIN and no
    COMMIT. Elsewhere (SQLite) they run in turn, in a transaction of their own. Inside the
    caller's transaction they are a savepoint: should the database refuse them (an
    IntegrityError, such as a rate limit's ceiling), only their writes are undone.

    The statements must not depend on one another's rows (they cannot see them on
    PostgreSQL): their keys are set in Python before."""
    one = connection.vendor == "postgresql" or not statements
    alone = one and not connection.in_atomic_block
    with contextlib.nullcontext() if alone else transaction.atomic(), connection.cursor() as cursor:
        if statements and connection.vendor == "postgresql":
            names = ", ".join(f"w{n} AS ({sql})" for n, (sql, _p) in enumerate(statements))
            params = [param for _sql, stmt_params in statements for param in stmt_params]
            cursor.execute(f"WITH {names} {last[0]}", [*params, *last[1]])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
            cursor.execute(*last)
        return cursor.fetchall()
