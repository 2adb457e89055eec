"""Who may do what, in one place.

Roles map to guardian object permissions on Program. Views, the API and commands ask
this module; only the membership services in `services.members` grant or revoke.
Cases are narrowed by assignment here rather than by a guardian row per case.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .models import Case, Program, Role

ADMINISTER = "administer_program"
VIEW_REPORTS = "view_reports"
MANAGE_ROSTER = "manage_roster"
TRIAGE = "triage_requests"
HOLD_CASELOAD = "hold_caseload"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: {ADMINISTER, VIEW_REPORTS, MANAGE_ROSTER, "change_program", "view_program"},
    Role.COORDINATOR: {TRIAGE, MANAGE_ROSTER, "view_program"},
    Role.SUPPORTER: {HOLD_CASELOAD},
    Role.EDITOR: set(),  # page permissions only, through the program's editors group
}
ALL_PERMISSIONS = set().union(*ROLE_PERMISSIONS.values())


def _codename(perm: str) -> str:
    return perm if "." in perm else f"programs.{perm}"


def user_can(user, perm: str, program: Program) -> bool:
    """True if the user's roles in this program include the permission."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(_codename(perm), program)


def require(user, perm: str, program: Program) -> None:
    if not user_can(user, perm, program):
        raise PermissionDenied


def programs_for(user, perm: str) -> QuerySet[Program]:
    """The programs in which the user holds the permission."""
    if not user or not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    return get_objects_for_user(user, _codename(perm), klass=Program, accept_global_perms=False)


def programs_with_any(user, perms) -> QuerySet[Program]:
    if not user or not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    return get_objects_for_user(
        user,
        [_codename(p) for p in perms],
        klass=Program,
        any_perm=True,
        accept_global_perms=False,
    )


def cases_visible_to(user) -> QuerySet[Case]:
    """A supporter sees the cases assigned to them; a coordinator the cases of their programs.

    Program admins (HR) see none: they get aggregates only.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    triage_programs = programs_for(user, TRIAGE).values("pk")
    return Case.objects.filter(
        Q(assigned_to__user=user, assigned_to__program__in=programs_for(user, HOLD_CASELOAD))
        | Q(program__in=triage_programs)
    )


def can_view_case(user, case: Case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def can_triage_case(user, case: Case) -> bool:
    return user_can(user, TRIAGE, case.program)


def is_assigned_supporter(user, case: Case) -> bool:
    return (
        case.assigned_to_id is not None
        and case.assigned_to.user_id == getattr(user, "pk", None)
        and user_can(user, HOLD_CASELOAD, case.program)
    )


def can_see_contact(user, case: Case) -> bool:
    """Only the supporter who has accepted the case sees how to reach the requester."""
    return case.status != Case.Status.OFFERED and is_assigned_supporter(user, case)


def can_read_notes(user, case: Case) -> bool:
    """Notes are for the supporter who accepted the case and the program's coordinators."""
    return can_see_contact(user, case) or user_can(user, TRIAGE, case.program)


def require_case(user, case_id) -> Case:
    """The case if the user may see it; otherwise a 404, so its existence is not revealed."""
    try:
        return (
            cases_visible_to(user)
            .select_related("program", "assigned_to", "assigned_to__user")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
