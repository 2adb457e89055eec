from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("includes/crisis_bar.html")
def crisis_bar(program=None):
    lines = list(selectors.help_resources(program=program, crisis_only=True)) if program else []
    return {"program": program, "lines": lines}
