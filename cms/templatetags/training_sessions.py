"""Upcoming training sessions for a training requirement, for the supporter's training page.

The caseload lives in `programs/`, which never imports the CMS; the CMS lends its events to
that page through this tag instead."""

from django import template

from cms import events

register = template.Library()


@register.simple_tag
def training_sessions_for(requirement) -> list:
    """The next sessions (within the weeks the events index lists) that count towards it."""
    return events.training_sessions(requirement_ids=[requirement.pk]).get(requirement.pk, [])
