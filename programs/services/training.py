"""The supporter's side of the training ledger: marking a page read, and expiry reminders."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..models import SupporterProfile, TrainingCompletion, TrainingRequirement
from . import notifications, roster


def training_page_complete(
    *, supporter: SupporterProfile, requirement: TrainingRequirement, actor
) -> TrainingCompletion:
    """A supporter marks a training page as read; it counts from today."""
    return roster.training_completion_record(
        supporter=supporter,
        requirement=requirement,
        completed_on=timezone.localdate(),
        actor=actor,
        source=TrainingCompletion.Source.PAGE,
    )


def training_reminders_send(*, today=None) -> int:
    """Remind supporters 6 and 3 months before a training expires, each reminder once.

    Safe to run as often as cron likes: a reminder is sent only by the run that flips its
    flag. A completion already renewed by a later one is left alone. Returns the count sent.
    """
    today = today or timezone.localdate()
    six = roster.add_months(today, 6)
    three = roster.add_months(today, 3)
    renewed = TrainingCompletion.objects.filter(
        supporter_id=OuterRef("supporter_id"), requirement_id=OuterRef("requirement_id")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    due = (
        TrainingCompletion.objects.filter(expires_on__gte=today, expires_on__lte=six)
        .filter(Q(reminded_6m=False) | Q(expires_on__lte=three, reminded_3m=False))
        .exclude(supporter__status=SupporterProfile.Status.RETIRED)
        .exclude(Exists(renewed))
        .select_related("supporter__program", "requirement")
        .order_by("pk")
    )
    sent = 0
    for completion in due:
        if completion.expires_on <= three:
            months, unsent, flags = 3, {"reminded_3m": False}, {"reminded_3m": True}
            flags["reminded_6m"] = True  # no 6-month reminder after the 3-month one
        else:
            months, unsent, flags = 6, {"reminded_6m": False}, {"reminded_6m": True}
        with transaction.atomic():
            flipped = TrainingCompletion.objects.filter(pk=completion.pk, **unsent).update(**flags)
            if flipped:
                supporter, name = completion.supporter, completion.requirement.name
                transaction.on_commit(
                    lambda s=supporter, n=name, m=months: notifications.training_reminder(
                        supporter=s, requirement_name=n, months=m
                    )
                )
                sent += 1
    return sent
