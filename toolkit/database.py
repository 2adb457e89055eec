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
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
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
    defaults, auto_now_add, encryption, JSON), except a value Django's own preparation
    would give back unchanged (`_AS_IS`: a str for a plain CharField or TextField, a bool
    for a BooleanField, None for those and a few more), which is sent as it is. The
    statement's text is compiled by the ORM once per model and connection vendor and kept
    (compiling it cost more than running it); a row with a value the text cannot carry as
    a plain parameter (an expression, a field with its own placeholder) is compiled afresh.

    `pre_save` is sent, as a save sends it (django-tasks-db's queue fills in a task's
    run_after there); `post_save` is not: the caller does itself what its receivers would
    have done (the intake raises its program's data version)."""
    from django.db.models.signals import pre_save

    model, db = type(obj), connections[DEFAULT_DB_ALIAS]  # looked up once, not per field
    pre_save.send(sender=model, instance=obj, raw=False, using=db.alias, update_fields=None)
    columns, sql = _insert_plan(db.vendor, model, with_pk=obj.pk is not None)
    if sql is None:
        return _compiled_insert(obj, [column[0] for column in columns])
    params = []
    for field, attname, as_is in columns:
        value = getattr(obj, attname) if attname else field.pre_save(obj, True)
        if type(value) not in as_is or (type(value) is datetime and value.tzinfo is None):
            if hasattr(value, "resolve_expression"):
                return _compiled_insert(obj, [column[0] for column in columns])
            value = field.get_db_prep_save(value, connection=db)
        params.append(value)
    return sql, params


# Values that Django's get_db_prep_save gives back unchanged, by field class (exactly that
# class: a subclass may prepare them its own way); on PostgreSQL also an aware datetime
# (a naive one is always prepared: Django warns and makes it aware).
# tests/test_database_write.py checks each against Django's own preparation.
_NONE = type(None)
_AS_IS = {
    models.CharField: (str, _NONE),
    models.TextField: (str, _NONE),
    models.BooleanField: (bool, _NONE),
    models.DateTimeField: (_NONE,),
    models.ForeignKey: (_NONE,),
    models.IntegerField: (_NONE,),
    models.UUIDField: (_NONE,),
}
_AS_IS_ON = {"postgresql": {models.DateTimeField: (datetime, _NONE)}}


def _reads_only(field) -> bool:
    """Whether the field's pre_save only reads its attribute (no auto_now, no default)."""
    pre_save = type(field).pre_save
    if pre_save is models.Field.pre_save:
        return True
    dated = type(field) in (models.DateField, models.DateTimeField)
    return dated and not (field.auto_now or field.auto_now_add)


@functools.cache
def _insert_plan(vendor: str, model, *, with_pk: bool) -> tuple[tuple, str | None]:
    """The columns a one-row INSERT of this model writes (each its field; the attribute to
    read where the field's pre_save only reads it, else None; the value types it sends as
    they are), and its kept text, each value a plain %s (None where a field has its own
    placeholder or a database default)."""
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
    as_is = {**_AS_IS, **_AS_IS_ON.get(vendor, {})}
    columns = tuple(
        (field, field.attname if _reads_only(field) else None, as_is.get(type(field), ()))
        for field in fields
    )
    return columns, text


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
    COMMIT. Its parameters are bound on the server, so PostgreSQL keeps it prepared once it
    has run DATABASE_PREPARE_THRESHOLD times on a connection (settings). Elsewhere
    (SQLite) they run in turn, in a transaction of their own. Inside the caller's
    transaction they are a savepoint: should the database refuse them (an
    IntegrityError, such as a rate limit's ceiling), only their writes are undone.

    The statements must not depend on one another's rows (they cannot see them on
    PostgreSQL): their keys are set in Python before."""
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each `connection.` is a lookup
    postgresql = db.vendor == "postgresql"
    one = postgresql or not statements
    alone = one and not db.in_atomic_block
    with (
        contextlib.nullcontext() if alone else transaction.atomic(),
        _server_binding_cursor(db) if postgresql else db.cursor() as cursor,
    ):
        if statements and postgresql:
            names = ", ".join(f"w{n} AS ({sql})" for n, (sql, _p) in enumerate(statements))
            params = [param for _sql, stmt_params in statements for param in stmt_params]
            cursor.execute(f"WITH {names} {last[0]}", [*params, *last[1]])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
            cursor.execute(*last)
        return cursor.fetchall()


def _server_binding_cursor(db):
    """A cursor as `connection.cursor()` gives (Django's wrapper: its query log, its
    execute wrappers, its error translation), whose parameters psycopg sends apart from
    the statement's text (server-side binding) instead of quoting each of them into it in
    Python, as Django's default client-side binding does (for the intake's ~45
    parameters, about half of psycopg's own work on the statement). Only for statements
    whose parameters PostgreSQL can type from where they go, as the intake's INSERTs and
    the rate counts' one JSON parameter (`::jsonb`)."""
    from django.db.backends.postgresql import base

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        cursor = base.ServerBindingCursor(db.connection)
        # As Django's create_cursor: timestamps read back in the connection's time zone.
        loader = db.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
        if db.timezone != loader.timezone:
            base.register_tzloader(db.timezone, cursor)
        return db._prepare_cursor(cursor)
