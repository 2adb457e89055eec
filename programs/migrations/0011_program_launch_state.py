"""Program.is_open becomes Program.state (getting ready / open / closed), with the two
review confirmations of the launch checklist. Open programs stay open; the others are
closed, so nothing that took requests before stops, and nothing that did not starts."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    Program.objects.filter(is_open=True).update(state="open")
    Program.objects.filter(is_open=False).update(state="closed")


def backwards(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    Program.objects.update(is_open=False)
    Program.objects.filter(state="open").update(is_open=True)


class Migration(migrations.Migration):
    dependencies = [("programs", "0010_rename_supportrequest_to_case")]

    operations = [
        migrations.AddField(
            model_name="program",
            name="state",
            field=models.CharField(
                choices=[
                    ("getting_ready", "Getting ready"),
                    ("open", "Open"),
                    ("closed", "Closed"),
                ],
                default="getting_ready",
                editable=False,
                help_text=(
                    "Getting ready: visible to the program's staff only, no requests. Open: "
                    "listed and taking requests. Closed: no new requests; existing requesters "
                    "still read and reply."
                ),
                max_length=16,
                verbose_name="state",
            ),
        ),
        migrations.AddField(
            model_name="program",
            name="crisis_lines_reviewed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="crisis lines reviewed"
            ),
        ),
        migrations.AddField(
            model_name="program",
            name="confidentiality_reviewed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="confidentiality text reviewed",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="program", name="is_open"),
    ]
