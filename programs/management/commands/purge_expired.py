"""Purge closed and withdrawn requests whose retention period has passed. Run daily."""

from newsletter.services import subscribers_purge_unconfirmed
from privacy import ratelimit
from toolkit.database import refresh_statistics

from ...services import tokens
from ...services.audit import audit_purge_expired
from ...services.cases import cases_purge_expired
from ...signals import daily_purge
from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = (
        "Delete what was said in closed and withdrawn requests once their program's "
        "retention period has passed, keeping only anonymous counts, the rate-limit "
        "counts whose window has ended and the API tokens that have expired. Run it once a day."
    )

    def handle(self, *args, **options):
        purged = cases_purge_expired()
        noun = "request" if purged == 1 else "requests"
        self.stdout.write(f"Purged {purged} expired {noun}.")
        audit_rows = audit_purge_expired()
        if audit_rows:
            self.stdout.write(f"Removed {audit_rows} audit rows older than their retention.")
        windows = ratelimit.purge_expired()
        if windows:
            self.stdout.write(f"Removed {windows} rate-limit counts whose window had ended.")
        expired_tokens = tokens.tokens_purge_expired()
        if expired_tokens:
            self.stdout.write(f"Removed {expired_tokens} API tokens that had expired.")
        unconfirmed = subscribers_purge_unconfirmed()
        if unconfirmed:
            self.stdout.write(
                f"Deleted {unconfirmed} newsletter addresses never confirmed within a week."
            )
        for _receiver, line in daily_purge.send(sender=self.__class__):
            if line:
                self.stdout.write(line)
        refresh_statistics()
