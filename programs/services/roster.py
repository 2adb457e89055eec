"""The supporter roster: selection, pausing, wellbeing and the training ledger."""

import calendar
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    AuditEntry,
    SupporterProfile,
    SupporterStatusChange,
    TrainingCompletion,
    TrainingRequirement,
)
from . import cases, notifications
from .audit import audit_record

Status = SupporterProfile.Status

# Who may move a supporter where. Supporters may only pause and unpause themselves.
ALLOWED_MOVES = {
    Status.APPLICANT: {Status.IN_TRAINING, Status.RETIRED},
    Status.IN_TRAINING: {Status.ACTIVE, Status.RETIRED, Status.APPLICANT},
    Status.ACTIVE: {Status.PAUSED, Status.RETIRED},
    Status.PAUSED: {Status.ACTIVE, Status.RETIRED},
    Status.RETIRED: {Status.APPLICANT, Status.IN_TRAINING},
}


def _record(supporter, to_status, actor, reason) -> SupporterStatusChange:
    # The trail keeps the move, never the reason (free text).
    audit_record(
        program=supporter.program,
        actor=actor,
        action=AuditEntry.Action.ROSTER_STATUS,
        target=supporter.display_name,
        data={"from": supporter.status, "to": to_status},
    )
    change = SupporterStatusChange.objects.create(
        supporter=supporter,
        from_status=supporter.status,
        to_status=to_status,
        decided_by=actor,
        reason=reason[:200],
    )
    supporter.status = to_status
    return change


@transaction.atomic
def supporter_status_set(
    *, supporter: SupporterProfile, status: str, actor, reason: str = ""
) -> SupporterProfile:
    """Admins and coordinators select, train, activate, pause and retire supporters."""
    permissions.require(actor, permissions.MANAGE_ROSTER, supporter.program)
    if status == supporter.status:
        return supporter
    if status not in ALLOWED_MOVES.get(supporter.status, set()):
        raise ValidationError(
            {
                "status": _("A supporter cannot move from %(a)s to %(b)s.")
                % {"a": supporter.get_status_display(), "b": Status(status).label}
            }
        )
    _record(supporter, status, actor, reason)
    supporter.pause_reason = reason if status == Status.PAUSED else ""
    supporter.save(update_fields=["status", "pause_reason"])
    if status == Status.RETIRED:
        cases.cases_release(supporter=supporter)
    return supporter


@transaction.atomic
def supporter_remove(*, supporter: SupporterProfile, reason: str) -> None:
    """The supporter role was taken away: retire them and give their open cases back."""
    if supporter.status != Status.RETIRED:
        _record(supporter, Status.RETIRED, None, reason)
        supporter.pause_reason = ""
        supporter.save(update_fields=["status", "pause_reason"])
    cases.cases_release(supporter=supporter)


@transaction.atomic
def supporter_pause_self(*, supporter: SupporterProfile, actor, paused: bool, reason: str = ""):
    """A supporter steps back (or returns) on their own; no new requests reach them."""
    if supporter.user_id != getattr(actor, "pk", None):
        raise PermissionDenied
    wanted = Status.PAUSED if paused else Status.ACTIVE
    current = {Status.ACTIVE, Status.PAUSED}
    if supporter.status not in current or supporter.status == wanted:
        raise ValidationError(
            _("Only an active supporter can pause, and only a paused one resume.")
        )
    # The note is for coordinators only (pause_reason); the history, which program
    # admins also see, says just who decided.
    _record(supporter, wanted, actor, _("by the supporter"))
    supporter.pause_reason = reason if paused else ""
    supporter.save(update_fields=["status", "pause_reason"])
    transaction.on_commit(
        lambda: notifications.coordinators_alerted(
            program=supporter.program,
            template="supporter_paused" if paused else "supporter_resumed",
        )
    )
    return supporter


@transaction.atomic
def supporter_debrief_request(*, supporter: SupporterProfile, actor) -> SupporterProfile:
    """A supporter asks a coordinator for a debrief."""
    if supporter.user_id != getattr(actor, "pk", None):
        raise PermissionDenied
    supporter.debrief_requested_at = timezone.now()
    supporter.save(update_fields=["debrief_requested_at"])
    transaction.on_commit(
        lambda: notifications.coordinators_alerted(
            program=supporter.program, template="debrief_requested"
        )
    )
    return supporter


@transaction.atomic
def supporter_debrief_done(*, supporter: SupporterProfile, actor) -> SupporterProfile:
    permissions.require(actor, permissions.TRIAGE, supporter.program)
    supporter.debrief_requested_at = None
    supporter.save(update_fields=["debrief_requested_at"])
    return supporter


def expiry_for(requirement: TrainingRequirement, completed_on: date) -> date | None:
    if not requirement.valid_for_months:
        return None
    return add_months(completed_on, requirement.valid_for_months)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@transaction.atomic
def training_completion_record(
    *,
    supporter: SupporterProfile,
    requirement: TrainingRequirement,
    completed_on: date,
    actor,
    source: str = TrainingCompletion.Source.CERTIFICATE,
    reference: str = "",
) -> TrainingCompletion:
    """Record training done: a coordinator records a certificate; a supporter marks a page read."""
    if requirement.program_id != supporter.program_id:
        raise ValidationError({"requirement": _("Choose a requirement of this program.")})
    if source == TrainingCompletion.Source.PAGE:
        if supporter.user_id != getattr(actor, "pk", None) or requirement.page_id is None:
            raise PermissionDenied
    else:
        permissions.require(actor, permissions.MANAGE_ROSTER, supporter.program)
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    return TrainingCompletion.objects.create(
        supporter=supporter,
        requirement=requirement,
        completed_on=completed_on,
        expires_on=expiry_for(requirement, completed_on),
        source=source,
        reference=reference[:120],
        recorded_by=actor,
    )
