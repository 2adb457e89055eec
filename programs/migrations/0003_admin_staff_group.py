"""Program admins and coordinators reach the Wagtail admin through the "Program staff" group."""

from django.db import migrations

STAFF_GROUP = "Program staff"


def add(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="wagtailadmin", model="admin"
    )
    access_admin, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.add(access_admin)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_vocabulary"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
