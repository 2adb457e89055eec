"""Wagtail permission policies that ask programs.permissions, one program at a time.

Wagtail asks two kinds of question: "may this person do X to this kind of thing at all?"
(menus, buttons, the view's front door) and "which things may they do X to?" (the rows
they are shown and may open). Both are answered from the person's roles per program, so
the admin of program A never lists, opens or edits anything of program B.
"""

from django.contrib.auth import get_user_model
from wagtail.permission_policies import BasePermissionPolicy

from .. import permissions
from ..models import Membership, Program, SupporterProfile, TrainingCompletion

_CACHE_ATTR = "_toolkit_admin_program_ids"


def program_ids(user, perm: str) -> frozenset[int]:
    """The programs where the user holds `perm`, remembered on the user for one request."""
    if not user or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if perm not in cache:
        cache[perm] = frozenset(permissions.programs_for(user, perm).values_list("pk", flat=True))
    return cache[perm]


class ProgramScopedPolicy(BasePermissionPolicy):
    """Each Wagtail action needs one program permission; actions not listed are refused."""

    #: Wagtail action ("add", "change", "delete", "view") -> program permission.
    actions: dict[str, str] = {}
    #: Actions only a superuser may take (e.g. creating programs).
    superuser_actions: frozenset[str] = frozenset()
    #: The lookup from the model to its program's primary key.
    program_lookup = "program"

    def _perm(self, action):
        return self.actions.get(action)

    def user_has_permission(self, user, action):
        if action in self.superuser_actions:
            return bool(user and user.is_active and user.is_superuser)
        perm = self._perm(action)
        return perm is not None and bool(program_ids(user, perm))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def program_id_of(self, instance) -> int:
        return instance.program_id

    def user_has_permission_for_instance(self, user, action, instance):
        if action in self.superuser_actions:
            return self.user_has_permission(user, action)
        perm = self._perm(action)
        return perm is not None and self.program_id_of(instance) in program_ids(user, perm)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def program_ids_for(self, user, actions) -> set[int]:
        ids: set[int] = set()
        for action in actions:
            perm = self._perm(action)
            if perm is not None:
                ids |= program_ids(user, perm)
        return ids

    def instances_user_has_any_permission_for(self, user, actions):
        ids = self.program_ids_for(user, actions)
        return self.model._default_manager.filter(**{f"{self.program_lookup}__in": ids})

    def users_with_any_permission(self, actions):
        roles = {
            role
            for role, perms in permissions.ROLE_PERMISSIONS.items()
            for action in actions
            if self._perm(action) in perms
        }
        return (
            get_user_model().objects.filter(is_active=True, memberships__role__in=roles).distinct()
        )

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions).filter(
            memberships__program_id=self.program_id_of(instance)
        )


class ProgramPolicy(ProgramScopedPolicy):
    """Program admins change their own program; only a superuser creates one from here."""

    actions = {"change": permissions.ADMINISTER, "view": permissions.ADMINISTER}
    superuser_actions = frozenset({"add"})
    program_lookup = "pk"

    def program_id_of(self, instance) -> int:
        return instance.pk


class MembershipPolicy(ProgramScopedPolicy):
    """Program admins add and remove people; a role is changed by removing and adding."""

    actions = {
        "add": permissions.ADMINISTER,
        "delete": permissions.ADMINISTER,
        "view": permissions.ADMINISTER,
    }


class RosterPolicy(ProgramScopedPolicy):
    """Admins and coordinators keep the roster; people join it by being given the role."""

    actions = {"change": permissions.MANAGE_ROSTER, "view": permissions.MANAGE_ROSTER}


class TrainingCompletionPolicy(ProgramScopedPolicy):
    """Admins and coordinators record training; the ledger is only added to."""

    actions = {"add": permissions.MANAGE_ROSTER, "view": permissions.MANAGE_ROSTER}
    program_lookup = "supporter__program"

    def program_id_of(self, instance) -> int:
        return instance.supporter.program_id


POLICIES = {
    Program: ProgramPolicy(Program),
    Membership: MembershipPolicy(Membership),
    SupporterProfile: RosterPolicy(SupporterProfile),
    TrainingCompletion: TrainingCompletionPolicy(TrainingCompletion),
}
