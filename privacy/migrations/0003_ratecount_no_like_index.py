"""The rate counts' key loses the LIKE index that PostgreSQL gets for a CharField primary
key: keys are only ever matched whole, and every new key (each web form's one-time token,
each client's first hit in a window) was one more index write."""

from django.db import migrations


def drop_key_like_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = apps.get_model("privacy", "RateCount")._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["index"] and info["columns"] == ["key"] and name.endswith("_like"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_ratecount_ceiling")]

    operations = [migrations.RunPython(drop_key_like_index, migrations.RunPython.noop)]
