"""People and their roles. The only place guardian permissions are granted or revoked."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .. import permissions
from ..models import Membership, Program, Role, SupporterProfile

User = get_user_model()

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


def set_password_url(*, user: User, base_url: str) -> str:
    """A link that lets the person choose a password; it stops working once used."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


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
    staff_group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    needs_admin = Membership.objects.filter(
        user=user, role__in=[Role.ADMIN, Role.COORDINATOR]
    ).exists()
    if needs_admin:
        user.groups.add(staff_group)
    else:
        user.groups.remove(staff_group)
    content_group = Group.objects.filter(name=content_group_name(program)).first()
    if content_group:
        if Role.ADMIN in roles:
            user.groups.add(content_group)
        else:
            user.groups.remove(content_group)


def content_group_name(program: Program) -> str:
    return f"{program.slug} content"


@transaction.atomic
def membership_grant(*, program: Program, user: User, role: str) -> tuple[Membership, bool]:
    """Give a person a role in a program, with exactly that role's permissions."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, created = Membership.objects.get_or_create(program=program, user=user, role=role)
    if role == Role.SUPPORTER:
        SupporterProfile.objects.get_or_create(
            program=program,
            user=user,
            defaults={"display_name": user.first_name or user.email.split("@")[0]},
        )
    _sync_user(user=user, program=program)
    return membership, created


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    """Take a role away; the person keeps only what their other roles give."""
    user, program, role = membership.user, membership.program, membership.role
    membership.delete()
    if role == Role.SUPPORTER:
        from .roster import supporter_remove  # noqa: PLC0415 - roster builds on members

        profile = SupporterProfile.objects.filter(program=program, user=user).first()
        if profile is not None:
            supporter_remove(supporter=profile, reason=_("removed from the program"))
    _sync_user(user=user, program=program)


def permissions_sync(*, program: Program) -> None:
    """Recompute every member's permissions from their memberships (after loading data)."""
    for user in User.objects.filter(memberships__program=program).distinct():
        _sync_user(user=user, program=program)
