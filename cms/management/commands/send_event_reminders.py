"""Remind people who signed up for tomorrow's sessions. Run hourly."""

from django.core.management.base import BaseCommand

from ...events import signup_reminders_send


class Command(BaseCommand):
    help = (
        "Email a reminder to everyone with a place in a session starting within 24 hours "
        "who asked for one, then delete their email. Run it every hour."
    )

    def handle(self, *args, **options):
        sent = signup_reminders_send()
        self.stdout.write(f"Sent {sent} event reminder(s).")
