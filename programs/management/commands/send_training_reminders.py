from datetime import date

from django.core.management.base import CommandError

from programs.services import training

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = (
        "Email supporters whose training expires in 6 or 3 months. Run daily from cron; "
        "each reminder is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Pretend today is this date (YYYY-MM-DD), for catching up."
        )

    def handle(self, *args, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("Give --today as YYYY-MM-DD.") from None
        sent = training.training_reminders_send(today=day)
        self.stdout.write(f"Sent {sent} training reminder(s).")
