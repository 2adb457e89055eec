"""The rate counts' key loses the LIKE index that PostgreSQL gets for a CharField primary
key: keys are only ever matched whole, and every new key (each web form's one-time token,
each client's first hit in a window) was one more index write."""

from django.db import migrations

from privacy.schema import drop_like_indexes


def drop_key_like_index(apps, schema_editor):
    table = apps.get_model("privacy", "RateCount")._meta.db_table
    drop_like_indexes(schema_editor, table, "key")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_ratecount_ceiling")]

    operations = [migrations.RunPython(drop_key_like_index, migrations.RunPython.noop)]
