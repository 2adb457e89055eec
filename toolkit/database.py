"""Keeping the database's query planner informed.

PostgreSQL's autovacuum gathers table statistics by itself. SQLite gathers none until
ANALYZE runs, and without them it guesses: for a coordinator's queue it then pairs every
supporter with every case of the program before filtering, about ten times the work. The
daily `purge_expired` job calls `refresh_statistics()`, and so do the benchmarks once they
have filled their scratch database.
"""

from django.db import connection


def refresh_statistics() -> None:
    """Refresh the planner's statistics where the database does not do it itself."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
