"""Who hears about what. Every email is sent through a background task, without content.

Emails name the program and point to the caseload or the coordinator view; they never
carry request text, the requester's name or contact detail, notes, or even a case id.
"""

from ..models import Case, Membership, Role, SupporterProfile
from ..tasks import send_staff_email


def _coordinator_ids(program) -> list[int]:
    return list(
        Membership.objects.filter(program=program, role=Role.COORDINATOR).values_list(
            "user_id", flat=True
        )
    )


def _send(user_ids, template, **context) -> None:
    if user_ids:
        send_staff_email.enqueue(user_ids=sorted(set(user_ids)), template=template, context=context)


def request_arrived(*, case_id, returned: bool = False, offered: bool = False) -> None:
    """Coordinators hear of every new (or returned) request, flagged if urgent or unmatched."""
    case = Case.objects.select_related("program").get(pk=case_id)
    _send(
        _coordinator_ids(case.program),
        "request_returned" if returned else "request_arrived",
        program=case.program.name,
        program_slug=case.program.slug,
        urgent=case.crisis_flag,
        no_match=case.no_match,
        offered=offered,
    )


def supporter_offered(*, supporter: SupporterProfile) -> None:
    """The supporter offered a request: 'open your caseload'."""
    _send([supporter.user_id], "request_offered", program=supporter.program.name)


def requester_replied(*, case_id) -> None:
    """The assigned supporter (or, with nobody assigned, the coordinators) hears of a reply."""
    case = Case.objects.select_related("program", "assigned_to").get(pk=case_id)
    urgent = case.crisis_flag
    if case.assigned_to_id:
        _send(
            [case.assigned_to.user_id],
            "requester_replied",
            program=case.program.name,
            urgent=urgent,
        )
    else:
        _send(
            _coordinator_ids(case.program),
            "requester_replied_queue",
            program=case.program.name,
            program_slug=case.program.slug,
            urgent=urgent,
        )


def coordinators_alerted(*, program, template: str) -> None:
    _send(_coordinator_ids(program), template, program=program.name, program_slug=program.slug)


def training_reminder(*, supporter: SupporterProfile, requirement_name: str, months: int) -> None:
    _send(
        [supporter.user_id],
        "training_reminder",
        program=supporter.program.name,
        requirement=requirement_name,
        months=months,
    )
