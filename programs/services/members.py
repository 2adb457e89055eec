"""People and their roles. The only place guardian permissions are granted or revoked."""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .. import permissions
from ..models import AuditEntry, Invitation, Membership, Program, Role, SupporterProfile
from ..tasks import send_staff_email
from . import roster, tokens
from .audit import audit_record

User = get_user_model()
logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=7)

STAFF_GROUP = "Program staff"  # may enter the Wagtail admin; sees only its programs there


def user_get_or_create(*, email: str) -> tuple[User, bool]:
    """Find a person by email (any case), or create them with an unusable password."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid email address.")}) from exc
    existing = User.objects.filter(email__iexact=email).first()
    if existing:
        return existing, False
    user = User(username=email.lower(), email=email.lower())
    user.set_unusable_password()
    user.save()
    return user, True


def _sync_user(*, user: User, program: Program) -> None:
    roles = set(
        Membership.objects.filter(user=user, program=program).values_list("role", flat=True)
    )
    wanted = set().union(*(permissions.ROLE_PERMISSIONS[r] for r in roles)) if roles else set()
    for perm in permissions.ALL_PERMISSIONS:
        codename = f"programs.{perm}"
        if perm in wanted:
            assign_perm(codename, user, program)
        else:
            remove_perm(codename, user, program)
    permissions.forget(user)
    staff_group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    needs_admin = Membership.objects.filter(
        user=user, role__in=[Role.ADMIN, Role.COORDINATOR]
    ).exists()
    if needs_admin:
        user.groups.add(staff_group)
    else:
        user.groups.remove(staff_group)
    # Page rights: the groups carry them (cms.editorial gives each its rights on the
    # program's section and its review workflow). Admins moderate by default.
    for group_name, wanted_by in (
        (moderators_group_name(program), Role.ADMIN),
        (editors_group_name(program), Role.EDITOR),
    ):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        if wanted_by in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)


def editors_group_name(program: Program) -> str:
    """Write the program's pages and submit them for review; they cannot publish."""
    return f"{program.slug} editors"


def moderators_group_name(program: Program) -> str:
    """Approve (publish) or reject what the program's editors submit."""
    return f"{program.slug} moderators"


def editorial_groups_ensure(*, program: Program) -> tuple[Group, Group]:
    """The program's editors and moderators groups, by name (rights come from cms)."""
    moderators = Group.objects.filter(name=moderators_group_name(program)).first()
    created = False
    if moderators is None:
        # Before editors had their own group, the admins' "<slug> content" group held the
        # section's rights: it becomes the moderators group, members and rights kept.
        moderators = Group.objects.filter(name=f"{program.slug} content").first()
        if moderators is not None:
            moderators.name = moderators_group_name(program)
            moderators.save(update_fields=["name"])
        else:
            moderators = Group.objects.create(name=moderators_group_name(program))
            created = True
    editors, editors_created = Group.objects.get_or_create(name=editors_group_name(program))
    if created or editors_created:
        permissions_sync(program=program)  # members who held their role before the group
    return editors, moderators


@transaction.atomic
def membership_grant(
    *, program: Program, user: User, role: str, actor=None
) -> tuple[Membership, bool]:
    """Give a person a role in a program, with exactly that role's permissions."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, created = Membership.objects.get_or_create(program=program, user=user, role=role)
    if created:
        _audit_role(program=program, user=user, role=role, actor=actor, granted=True)
    if role == Role.SUPPORTER:
        SupporterProfile.objects.get_or_create(
            program=program,
            user=user,
            defaults={"display_name": user.first_name or user.email.split("@")[0]},
        )
    _sync_user(user=user, program=program)
    return membership, created


def _audit_role(*, program: Program, user: User, role: str, actor, granted: bool) -> None:
    audit_record(
        program=program,
        actor=actor,
        action=AuditEntry.Action.ROLE_CHANGE,
        target=user.email,
        data={"role": role, "change": "granted" if granted else "removed"},
    )


def is_last_admin(*, membership: Membership) -> bool:
    """Removing this role would leave its program without an admin."""
    return (
        membership.role == Role.ADMIN
        and not Membership.objects.filter(program_id=membership.program_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None) -> None:
    """Take a role away; the person keeps only what their other roles give.

    A program always keeps at least one admin: taking away the last admin role is refused.
    """
    # Lock the program's admin roles so two admins cannot remove each other at once.
    list(
        Membership.objects.select_for_update().filter(
            program_id=membership.program_id, role=Role.ADMIN
        )
    )
    if is_last_admin(membership=membership):
        raise ValidationError(_("A program needs at least one admin. Add another admin first."))
    user, program, role = membership.user, membership.program, membership.role
    membership.delete()
    _audit_role(program=program, user=user, role=role, actor=actor, granted=False)
    if role == Role.SUPPORTER:
        profile = SupporterProfile.objects.filter(program=program, user=user).first()
        if profile is not None:
            roster.supporter_remove(supporter=profile, reason=_("removed from the program"))
    _sync_user(user=user, program=program)
    if not Membership.objects.filter(user=user).exists():
        tokens.tokens_revoke_all(user=user)  # a token must not outlive every role


def permissions_sync(*, program: Program) -> None:
    """Recompute every member's permissions from their memberships (after loading data)."""
    for user in User.objects.filter(memberships__program=program).distinct():
        _sync_user(user=user, program=program)


# Adding people and inviting them --------------------------------------------------------


@dataclass
class MemberAdded:
    user: User
    membership: Membership
    created: bool  # the account is new
    granted: bool  # the role is new
    invited: bool  # a set-password invitation was emailed
    notified: bool  # an existing account was told of its new role by email


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_be_invited(user: User, program: Program) -> bool:
    # A credential only for an account that waits for its first password and belongs to
    # no other program: whoever adds it may not hand out a way into somebody else's.
    return (
        user.is_active
        and not user.is_superuser
        and not user.has_usable_password()
        and not Membership.objects.filter(user=user).exclude(program=program).exists()
    )


def _email(*, to: str, template: str, context: dict) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            f"emails/{template}.txt", {**context, "base_url": settings.TOOLKIT_BASE_URL}
        )
    subject, _sep, text = body.partition("\n")
    try:
        send_mail(subject.strip(), text.strip(), settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # the role is kept; adding the person again sends a new invitation
        logger.exception("invitation email to a new member could not be sent")


def invitation_issue(*, membership: Membership, actor=None) -> Invitation:
    """A 7-day, single-use set-password link for this membership, emailed to the person.

    Only its hash is stored, and any earlier invitation of the person stops working.
    Sent directly, not through the task queue, so the link is never written down.
    """
    user = membership.user
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        membership=membership,
        user=user,
        program=membership.program,
        token_hash=_token_hash(token),
        created_by=actor if getattr(actor, "pk", None) else None,
        expires_at=now + INVITATION_LIFETIME,
    )
    link = settings.TOOLKIT_BASE_URL.rstrip("/") + reverse(
        "invitation_accept", kwargs={"token": token}
    )
    context = {
        "program": membership.program.name,
        "role": str(Role(membership.role).label),
        "link": link,
        "days": INVITATION_LIFETIME.days,
    }
    transaction.on_commit(lambda: _email(to=user.email, template="invitation", context=context))
    return invitation


def invitation_get(*, token: str) -> Invitation | None:
    """The open invitation for this link: unused, unexpired, its role still held."""
    if not token:
        return None
    invitation = (
        Invitation.objects.select_related("user", "program", "membership")
        .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or invitation.user.has_usable_password():
        return None
    if not invitation.user.is_active:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """The person sets their first password; the link, and any other, stops working."""
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    return user


@transaction.atomic
def member_add(
    *, program: Program, email: str, role: str, actor=None, notify: bool = True
) -> MemberAdded:
    """Give a person (found or created by email) a role, then tell them by email.

    The actor must administer the program (or manage its roster, for supporters); no
    actor means the operator at the command line. A new or waiting account that belongs
    to no other program gets a set-password invitation; any other gets a notice only.
    """
    if actor is not None:
        needed = permissions.MANAGE_ROSTER if role == Role.SUPPORTER else permissions.ADMINISTER
        permissions.require(actor, needed, program)
    user, created = user_get_or_create(email=email)
    membership, granted = membership_grant(program=program, user=user, role=role, actor=actor)
    invited = notified = False
    if notify and _may_be_invited(user, program):
        invitation_issue(membership=membership, actor=actor)
        invited = True
    elif notify and granted:
        context = {"program": program.name, "role": str(Role(role).label)}
        transaction.on_commit(
            lambda: send_staff_email.enqueue(
                user_ids=[user.pk], template="member_added", context=context
            )
        )
        notified = True
    return MemberAdded(user, membership, created, granted, invited, notified)


@transaction.atomic
def supporter_add(*, program, email: str, actor) -> tuple[SupporterProfile, bool]:
    """Admins and coordinators put a person on the roster; new people start as applicants."""
    permissions.require(actor, permissions.MANAGE_ROSTER, program)
    added = member_add(program=program, email=email, role=Role.SUPPORTER, actor=actor)
    return SupporterProfile.objects.get(program=program, user=added.user), added.granted
