"""Reads of the audit trail, for the audit viewer, its API route and a supporter's case page.

Only who, which role, what kind of action and when: never what was said or written.
Program admins read their own program's trail; a supporter reads only who else opened
one of their own cases. Reading the trail is itself audited by the caller (a view).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import AuditEntry, Case, CaseAccess, Membership, Program, Role
from .selectors import program_get_for_user

CASE_REF = re.compile(r"^#?\s*([0-9a-fA-F-]{4,36})$")
REQUESTER_ACTIONS = {CaseAccess.Action.REQUESTER_VIEW, CaseAccess.Action.REQUESTER_REPLY}
ROLE_ORDER = [Role.ADMIN, Role.COORDINATOR, Role.SUPPORTER, Role.EDITOR]


def audit_program_get(*, user, slug: str) -> Program:
    """The program whose trail the user may read (its admins only); otherwise a 404."""
    return program_get_for_user(user=user, slug=slug, perm=permissions.ADMINISTER)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(
    *,
    program: Program,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The program's sensitive actions, newest first, optionally one kind and a date range
    (both days included, in the site's time zone)."""
    entries = AuditEntry.objects.filter(program=program).select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if since:
        entries = entries.filter(at__gte=_day_start(since))
    if until:
        entries = entries.filter(at__lt=_day_start(until) + timedelta(days=1))
    return entries.order_by("-at", "-id")


def case_ref_normalise(ref: str) -> str | None:
    """A case's short number as staff see it ("#1a2b3c4d", "1a2b3c4d"), as hex; or None."""
    match = CASE_REF.match((ref or "").strip())
    if not match:
        return None
    digits = match.group(1).replace("-", "").lower()
    return digits if 4 <= len(digits) <= 32 else None


def cases_by_ref(*, program: Program, ref: str) -> list[Case]:
    """The program's cases whose id starts with the short number (usually exactly one).

    A range over the primary key, so it uses the index and works the same on SQLite
    (ids stored as hex text) and PostgreSQL (native uuid, compared byte by byte)."""
    digits = case_ref_normalise(ref)
    if digits is None:
        return []
    low = uuid.UUID(digits.ljust(32, "0"))
    high = uuid.UUID(digits.ljust(32, "f"))
    return list(
        Case.objects.filter(program=program, pk__gte=low, pk__lte=high).only(
            "id", "program_id", "status", "purged"
        )[:10]
    )


@dataclass
class AccessRow:
    at: datetime
    action: str
    action_label: str
    via: str
    roles: list[str]
    name: str  # empty where the reader may not see who it was


def _roles(program_id: int, user_ids) -> dict[int, list[str]]:
    found: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(
        program_id=program_id, user_id__in=set(user_ids)
    ).values_list("user_id", "role"):
        found.setdefault(user_id, set()).add(role)
    return {
        user_id: [str(Role(r).label) for r in ROLE_ORDER if r in roles]
        for user_id, roles in found.items()
    }


def _rows(accesses, program_id: int, with_names: bool) -> list[AccessRow]:
    accesses = list(accesses)
    roles = _roles(program_id, [a.actor_id for a in accesses if a.actor_id])
    rows = []
    for access in accesses:
        if access.actor_id:
            labels = roles.get(access.actor_id) or [str(_("No longer a member"))]
            user = access.actor
            name = (user.get_full_name() or user.email) if with_names else ""
        elif access.action in REQUESTER_ACTIONS:
            labels, name = [str(_("Requester"))], ""
        else:
            labels, name = [str(_("Automatic"))], ""
        rows.append(
            AccessRow(
                at=access.at,
                action=access.action,
                action_label=str(CaseAccess.Action(access.action).label)
                if access.action in CaseAccess.Action.values
                else access.action,
                via=access.via,
                roles=labels,
                name=name,
            )
        )
    return rows


def case_access_for_admin(*, program: Program, case: Case, limit: int = 500) -> list[AccessRow]:
    """Who opened or changed one of the program's cases, with their roles, and when."""
    accesses = (
        CaseAccess.objects.filter(program=program, case_id=case.pk)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    return _rows(accesses, program.pk, with_names=True)


def case_access_others(*, case: Case, user, limit: int = 50) -> list[AccessRow]:
    """For the supporter's own case page: who else opened it, by role and time (no names).

    Callers pass a case read through `caseload_case_get`, so it is the user's own case."""
    accesses = (
        CaseAccess.objects.filter(program_id=case.program_id, case_id=case.pk)
        .exclude(actor_id=getattr(user, "pk", None))
        .order_by("-at", "-id")[:limit]
    )
    return _rows(accesses, case.program_id, with_names=False)


def entry_facts(entry: AuditEntry) -> list[tuple[str, str]]:
    """An entry's small facts as (name, value) pairs for a table cell."""
    return [
        (str(key), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
        for key, v in sorted((entry.data or {}).items())
    ]
