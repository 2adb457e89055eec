"""Builders shared by the matching, caseload and coordinator tests."""

import pytest
from django.utils import timezone

from programs.models import SupportRequest, Topic


@pytest.fixture(autouse=True)
def _program_children_saved(request):
    """`program_bootstrap` leaves a new program's training, help lines and units unsaved
    (modelcluster keeps `.create()`d children in memory until the program is saved), so
    save the cast's programs before anyone reads their training requirements."""
    for name in ("program", "other_program"):
        if name in request.fixturenames:
            request.getfixturevalue(name).save()


def make_request(program, **fields):
    """A request straight into the table, without running the router."""
    topics = fields.pop("topics", ())
    now = fields.pop("created_at", None) or timezone.now()
    request = SupportRequest.objects.create(
        program=program,
        receipt_hash=f"hash-{SupportRequest.objects.count()}-{now.timestamp()}",
        created_at=now,
        requester_seen_at=now,
        **fields,
    )
    if topics:
        request.topics.set(Topic.objects.filter(slug__in=topics))
    return request
