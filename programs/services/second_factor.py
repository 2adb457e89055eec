"""Resetting a colleague's second factor when they lose their phone."""

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .. import permissions
from ..models import Membership, Program

ACTION = "programs.second_factor_reset"


@transaction.atomic
def second_factor_reset(*, person, program: Program, actor) -> int:
    """A coordinator or admin of the program may clear a colleague's second factors, audited.

    Refused for people who also hold a role in a program the actor does not manage, so
    that nobody weakens an account another program relies on. The person enrols again
    at their next sign-in; every session they have ends at once.
    """
    permissions.require(actor, permissions.MANAGE_ROSTER, program)
    if not Membership.objects.filter(user=person, program=program).exists():
        raise Http404
    if person.pk == actor.pk:
        raise ValidationError(_("You cannot reset your own second factor; ask a colleague."))
    managed = permissions.programs_for(actor, permissions.MANAGE_ROSTER).values("pk")
    elsewhere = Membership.objects.filter(user=person).exclude(program__in=managed)
    if person.is_superuser or elsewhere.exists():
        raise PermissionDenied(
            _("This person also works in a program you do not manage; ask its admin.")
        )
    deleted, _rows = Authenticator.objects.filter(user=person).delete()
    log(instance=person, action=ACTION, user=actor, data={"program": program.slug})
    return deleted
