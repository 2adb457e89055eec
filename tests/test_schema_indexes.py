"""Columns only ever matched whole carry no LIKE index on PostgreSQL (programs 0018, privacy
0003): each would be one more index write on every intake, for no query."""

import pytest
from django.db import connection

from privacy.models import RateCount
from programs.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("model", "column"), [(Case, "receipt_hash"), (RateCount, "key")])
def test_a_whole_match_column_has_its_unique_index_and_no_like_index(model, column):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL adds LIKE indexes")
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    on_column = {name: info for name, info in constraints.items() if info["columns"] == [column]}
    assert any(info["unique"] for info in on_column.values())  # look-ups stay indexed
    assert [name for name in on_column if name.endswith("_like")] == []
