from datetime import datetime

from django.utils import timezone


def coarse_now() -> datetime:
    """Now, to the hour: stored times that cannot point at a shift or a break."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)
