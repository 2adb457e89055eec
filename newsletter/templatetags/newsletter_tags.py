from django import template

from newsletter.services import confirmed_count

register = template.Library()


@register.simple_tag
def newsletter_subscriber_count(program) -> int:
    """How many confirmed subscribers; never who."""
    return confirmed_count(program=program)
