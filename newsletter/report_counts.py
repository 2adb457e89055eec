"""What the newsletter adds to a program's HR report: counts only, never who."""

from .models import Delivery
from .services import confirmed_count


def newsletter_counts(sender, program, start, end, **kwargs) -> dict:
    """Confirmed subscribers now, and issues sent to them in the report's period."""
    return {
        "subscribers": confirmed_count(program=program),
        "issues_sent": Delivery.objects.filter(
            subscriber__program=program,
            status=Delivery.Status.SENT,
            sent_at__gte=start,
            sent_at__lt=end,
        )
        .values("issue_id")
        .distinct()
        .count(),
    }
