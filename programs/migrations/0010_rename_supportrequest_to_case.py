"""One word in code for a request and the case it becomes: the model is Case."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0009_crisis_countries"),
    ]

    operations = [
        migrations.RenameModel("SupportRequest", "Case"),
        migrations.RenameField("message", "request", "case"),
        migrations.RenameField("casenote", "request", "case"),
        migrations.RenameField("referral", "request", "case"),
        migrations.RenameField("caseevent", "request", "case"),
        migrations.RenameIndex(
            model_name="case",
            new_name="programs_ca_program_a2ae38_idx",
            old_name="programs_su_program_da0c17_idx",
        ),
        migrations.RenameIndex(
            model_name="case",
            new_name="programs_ca_assigne_f9a6a5_idx",
            old_name="programs_su_assigne_cee1e2_idx",
        ),
        migrations.AlterField(
            model_name="case",
            name="program",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="programs.program",
            ),
        ),
    ]
