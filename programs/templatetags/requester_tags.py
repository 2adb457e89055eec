"""What the requester's pages show about time: always to the hour, never to the minute."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def coarse_time(value, now=None) -> str:
    """'today, about 14:00': rounded down to the hour, like the times we store."""
    if not value:
        return ""
    local = timezone.localtime(value).replace(minute=0, second=0, microsecond=0)
    today = timezone.localtime(now or timezone.now()).date()
    hour = local.strftime("%H:00")
    if local.date() == today:
        return _("today, about %(hour)s") % {"hour": hour}
    if local.date() == today - timedelta(days=1):
        return _("yesterday, about %(hour)s") % {"hour": hour}
    day = date_format(local, "j F" if local.year == today.year else "j F Y")
    return _("%(day)s, about %(hour)s") % {"day": day, "hour": hour}
