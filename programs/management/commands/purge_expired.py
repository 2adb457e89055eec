"""Delete closed and withdrawn requests whose retention period has passed. Run daily."""

from ...services.cases import requests_purge_expired
from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = (
        "Delete closed and withdrawn requests once their program's retention period has "
        "passed. Run it from cron or a systemd timer once a day."
    )

    def handle(self, *args, **options):
        deleted = requests_purge_expired()
        noun = "request" if deleted == 1 else "requests"
        self.stdout.write(f"Deleted {deleted} expired {noun}.")
