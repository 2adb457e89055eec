"""Three indexes fewer on programs_case, each a write on every intake: the program's and the
assignee's own (the composite indexes that start with them serve every look-up), and on
PostgreSQL the LIKE index that unique=True added to receipt_hash (a digest is only ever
matched whole; the unique constraint's index stays)."""

import django.db.models.deletion
from django.db import migrations, models

from privacy.schema import drop_like_indexes


def drop_receipt_hash_like_index(apps, schema_editor):
    """AlterField drops the LIKE index only under the name the table has now; this one was
    made while the table was still programs_supportrequest, so it is found by its column."""
    table = apps.get_model("programs", "Case")._meta.db_table
    drop_like_indexes(schema_editor, table, "receipt_hash")


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0017_case_access_without_db_constraints"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="cases",
                to="programs.supporterprofile",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="program",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="programs.program",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="receipt_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                fields=("receipt_hash",), name="case_receipt_hash_unique"
            ),
        ),
        migrations.RunPython(drop_receipt_hash_like_index, migrations.RunPython.noop),
    ]
