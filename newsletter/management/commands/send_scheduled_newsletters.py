"""Start the newsletter sends whose scheduled time has come. Run it every few minutes."""

from django.core.management.base import BaseCommand

from newsletter.services import scheduled_sends_run


class Command(BaseCommand):
    help = "Start every scheduled newsletter send whose time has come (run every few minutes)."

    def handle(self, *args, **options):
        started = scheduled_sends_run()
        if started:
            self.stdout.write(f"Started {started} scheduled newsletter send(s).")
