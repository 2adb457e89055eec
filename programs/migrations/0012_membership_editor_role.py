"""Programs get editors: people who write their pages for the program's moderators to publish."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0011_program_launch_state'),
    ]

    operations = [
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('admin', 'Program admin'), ('coordinator', 'Coordinator'), ('supporter', 'Peer supporter'), ('editor', 'Editor')], max_length=12, verbose_name='role'),
        ),
    ]
