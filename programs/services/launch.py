"""Opening and closing a program, and the two confirmations of its launch checklist.

Every change is written to the program's history: Wagtail's audit log (ModelLogEntry,
through `wagtail.log_actions.log`), which the program's History screen in the admin
already shows, with who and when. No case data goes in.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .. import launch, permissions
from ..models import AuditEntry, Program
from .audit import audit_record

OPENED = "programs.program_opened"
CLOSED = "programs.program_closed"
REVIEWED = {
    launch.CRISIS_LINES: "programs.crisis_lines_reviewed",
    launch.CONFIDENTIALITY: "programs.confidentiality_reviewed",
}


def _locked(program: Program) -> Program:
    return Program.objects.select_for_update().get(pk=program.pk)


def _require(actor, program: Program) -> None:
    """Only an admin of this program; `actor=None` is the command line (the operator)."""
    if actor is not None:
        permissions.require(actor, permissions.ADMINISTER, program)


def _sync(program: Program, fresh: Program, *fields: str) -> None:
    for name in fields:
        setattr(program, name, getattr(fresh, name))


def _audit(program: Program, actor, data: dict) -> None:
    audit_record(
        program=program,
        actor=actor,
        action=AuditEntry.Action.SETTINGS,
        target=program.name,
        data=data,
    )


@transaction.atomic
def program_open(*, program: Program, actor) -> Program:
    """Open the program to requests and list it, once every checklist item is done.

    With anything missing, a ValidationError names each missing item and nothing changes."""
    _require(actor, program)
    fresh = _locked(program)
    if fresh.state == Program.State.OPEN:
        return program
    missing = launch.missing(launch.checklist(fresh))
    if missing:
        raise ValidationError(
            _("The program cannot open yet. Still missing: %(items)s.")
            % {"items": "; ".join(item.label for item in missing)},
            code="incomplete",
        )
    previous = fresh.state
    fresh.state = Program.State.OPEN
    fresh.save(update_fields=["state"])
    log(instance=fresh, action=OPENED, user=actor, data={"from": previous})
    _audit(fresh, actor, {"state": [previous, Program.State.OPEN]})
    _sync(program, fresh, "state")
    return program


@transaction.atomic
def program_close(*, program: Program, actor) -> Program:
    """Stop new requests and take the program off the home page. Existing requesters still
    read and reply with their receipt code, and the staff keep working their cases."""
    _require(actor, program)
    fresh = _locked(program)
    if fresh.state == Program.State.CLOSED:
        return program
    if fresh.state != Program.State.OPEN:
        raise ValidationError(
            _(
                "The program is still getting ready and takes no requests; there is nothing "
                "to close."
            ),
            code="not_open",
        )
    fresh.state = Program.State.CLOSED
    fresh.save(update_fields=["state"])
    log(instance=fresh, action=CLOSED, user=actor, data={"from": Program.State.OPEN})
    _audit(fresh, actor, {"state": [Program.State.OPEN, Program.State.CLOSED]})
    _sync(program, fresh, "state")
    return program


@transaction.atomic
def program_confirm(*, program: Program, actor, what: str) -> Program:
    """The admin vouches that the crisis lines, or the confidentiality text, are right."""
    if what not in launch.CONFIRMATIONS:
        raise ValidationError(_("Nothing to confirm by that name."), code="invalid")
    _require(actor, program)
    fresh = _locked(program)
    field = launch.CONFIRMATIONS[what]
    setattr(fresh, field, timezone.now())
    fresh.save(update_fields=[field])
    log(instance=fresh, action=REVIEWED[what], user=actor)
    _audit(fresh, actor, {"confirmed": what})
    _sync(program, fresh, field)
    return program
