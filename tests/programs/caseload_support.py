"""Builders shared by the matching, caseload and coordinator tests."""

from django.utils import timezone

from programs.models import Case, Topic


def make_request(program, **fields):
    """A request straight into the table, without running the router."""
    topics = fields.pop("topics", ())
    now = fields.pop("created_at", None) or timezone.now()
    request = Case.objects.create(
        program=program,
        receipt_hash=f"hash-{Case.objects.count()}-{now.timestamp()}",
        created_at=now,
        requester_seen_at=now,
        **fields,
    )
    if topics:
        request.topics.set(Topic.objects.filter(slug__in=topics))
    return request
