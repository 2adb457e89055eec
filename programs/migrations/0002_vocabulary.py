"""The shared vocabulary of topics and a starter list of languages."""

from django.db import migrations

TOPICS = [
    ("stress", "Stress"),
    ("critical-incident", "Critical incident"),
    ("trauma", "Trauma"),
    ("grief", "Grief and loss"),
    ("substance-use", "Alcohol or substance use"),
    ("relationships", "Relationships"),
    ("family", "Family"),
    ("menopause", "Menopause"),
    ("workplace-conflict", "Workplace conflict"),
    ("moral-distress", "Moral distress"),
    ("other", "Something else"),
]
LANGUAGES = [
    ("en", "English"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("de", "German"),
    ("pt", "Portuguese"),
    ("ar", "Arabic"),
    ("zh", "Chinese"),
    ("pl", "Polish"),
]


def add(apps, schema_editor):
    Topic = apps.get_model("programs", "Topic")
    Language = apps.get_model("programs", "Language")
    for order, (slug, name) in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
