"""Who may do what, in one place.

Roles map to guardian object permissions on Program. Views, the API and commands ask
this module; only the membership services in `services.members` grant or revoke.
Cases are narrowed by assignment here rather than by a guardian row per case.
"""

import functools

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.models import GroupObjectPermission, UserObjectPermission

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


def _bare(perm: str) -> str:
    app, _dot, codename = perm.rpartition(".")
    return codename if app in ("", "programs") else perm


# The user's guardian rows on programs, read once per request. A request's user is a new
# object every time (from the session or the token), so nothing outlives the request; a
# user object made elsewhere (a test, a command) never keeps a memo and reads every time.
_MEMO = "_toolkit_program_perms"
_NO_MEMO = object()


def memo_for_request(user) -> None:
    """Let this request's user keep its program permissions for the request's lifetime."""
    if user is not None and getattr(user, "is_authenticated", False):
        setattr(user, _MEMO, None)


def forget(user) -> None:
    """Drop a memo after the user's permissions changed (the roster services call this)."""
    if getattr(user, _MEMO, _NO_MEMO) not in (None, _NO_MEMO):
        setattr(user, _MEMO, None)


def _active(user) -> bool:
    return bool(user) and user.is_authenticated and user.is_active


def roles_of(user) -> dict[int, frozenset[str]]:
    """Program pk → the permission codenames the user holds there (directly or through a
    group), in one query; memoised for the request when `memo_for_request` was called."""
    if not _active(user):
        return {}
    memo = getattr(user, _MEMO, _NO_MEMO)
    if memo not in (None, _NO_MEMO):
        return memo
    content_type = ContentType.objects.get_for_model(Program)
    found: dict[int, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_roles_sql(), [user.pk, content_type.pk, user.pk, content_type.pk])
        for object_pk, codename in cursor.fetchall():
            found.setdefault(int(object_pk), set()).add(codename)
    result = {pk: frozenset(perms) for pk, perms in found.items()}
    if memo is None:
        setattr(user, _MEMO, result)
    return result


@functools.cache
def _roles_sql() -> str:
    """The user's object permissions, direct or through a group, as (object_pk, codename):
    what guardian's two tables say, in one statement written once. Every staff request
    asks it, and the ORM spent longer compiling the union than the database running it.
    Only quoted names from the models are formatted in; the values are parameters."""
    qn = connection.ops.quote_name
    direct, grouped = UserObjectPermission._meta, GroupObjectPermission._meta
    permission = direct.get_field("permission").related_model._meta
    groups = direct.get_field("user").related_model._meta.get_field("groups")
    through = groups.remote_field.through._meta

    def column(meta, name):
        return f"{qn(meta.db_table)}.{qn(meta.get_field(name).column)}"

    def rows(meta, joins, who):
        return (
            f"SELECT {column(meta, 'object_pk')}, {column(permission, 'codename')} "  # noqa: S608
            f"FROM {qn(meta.db_table)} INNER JOIN {qn(permission.db_table)} "
            f"ON {column(permission, 'id')} = {column(meta, 'permission')}{joins} "
            f"WHERE {who} = %s AND {column(meta, 'content_type')} = %s"
        )

    group_join = (
        f" INNER JOIN {qn(through.db_table)} "
        f"ON {column(through, 'group')} = {column(grouped, 'group')}"
    )
    return (
        rows(direct, "", column(direct, "user"))
        + " UNION ALL "
        + rows(grouped, group_join, column(through, "user"))
    )


def _program_ids(user, perms) -> list[int]:
    wanted = {_bare(p) for p in perms}
    return sorted(pk for pk, held in roles_of(user).items() if held & wanted)


def user_can(user, perm: str, program: Program) -> bool:
    """True if the user's roles in this program include the permission."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return _bare(perm) in roles_of(user).get(program.pk, ())


def require(user, perm: str, program: Program) -> None:
    if not user_can(user, perm, program):
        raise PermissionDenied


def programs_for(user, perm: str) -> QuerySet[Program]:
    """The programs in which the user holds the permission."""
    return programs_with_any(user, [perm])


def programs_with_any(user, perms) -> QuerySet[Program]:
    """The programs in which the user holds any of the permissions: a plain list of keys
    (from `roles_of`), so a query built on it nests no permission sub-selects."""
    if not _active(user):
        return Program.objects.none()
    if user.is_superuser:
        return Program.objects.all()
    return Program.objects.filter(pk__in=_program_ids(user, perms))


def program_keys_for(user, perm: str) -> list[int]:
    """The keys of `programs_for(user, perm)`, in order, read from the user's roles (a
    superuser's from the programs)."""
    if not _active(user):
        return []
    if user.is_superuser:
        return list(Program.objects.order_by("pk").values_list("pk", flat=True))
    return _program_ids(user, [perm])


def cases_visible_to(user) -> QuerySet[Case]:
    """A supporter sees the cases assigned to them; a coordinator the cases of their programs.

    Program admins (HR) see none: they get aggregates only.
    """
    if not _active(user):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    return Case.objects.filter(
        Q(assigned_to__user=user, assigned_to__program_id__in=_program_ids(user, [HOLD_CASELOAD]))
        | Q(program_id__in=_program_ids(user, [TRIAGE]))
    )


def own_cases(user) -> QuerySet[Case]:
    """The cases assigned to the user in programs where they hold a caseload."""
    if not _active(user):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.filter(assigned_to__user=user)
    return Case.objects.filter(
        assigned_to__user=user,
        assigned_to__program_id__in=_program_ids(user, [HOLD_CASELOAD]),
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


def can_work_plan(user, case: Case) -> bool:
    """The person's safety plan: only the supporter who accepted the case, while it is open.
    Coordinators and program admins never see its contents (the person owns it)."""
    return case.is_open and not case.purged and can_see_contact(user, case)


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
