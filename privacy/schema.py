"""Schema helpers for migrations. Here, in the package every app may import and that imports
none of them, so that privacy's own migrations can use them too."""


def drop_like_indexes(schema_editor, table: str, column: str) -> None:
    """For a migration: drop the LIKE index PostgreSQL gets for a unique text column, found by
    its column (Django names it after the table, and a table renamed since keeps the old
    name). For columns only ever matched whole."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["index"] and info["columns"] == [column] and name.endswith("_like"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
