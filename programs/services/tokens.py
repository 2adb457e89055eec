"""API tokens: named, expiring, shown once; only their digest is kept (django-rest-knox).

A person may hold several (one per script or device), list them and revoke any of their
own. Only people with a role in a program may make one.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from ..models import ApiToken, Membership

DEFAULT_DAYS = 90
MAX_DAYS = 365


@transaction.atomic
def token_create(*, user, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for an active member of some program; the key is returned only now."""
    if not user.is_active:
        raise ValidationError({"user": _("This account is not active.")})
    if not Membership.objects.filter(user=user).exists():
        raise PermissionDenied(_("Only people with a role in a program can make API tokens."))
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationError({"name": _("Give the token a name of up to 80 characters.")})
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"expires_in_days": _("Choose from 1 to %(max)s days.") % {"max": MAX_DAYS}}
        )
    knox_token, key = AuthToken.objects.create(user=user, expiry=timedelta(days=days))
    return ApiToken.objects.create(token=knox_token, name=name), key


def tokens_purge_expired() -> int:
    """Remove everyone's expired tokens (the daily purge): they no longer work, and the API's
    token check does not tidy them up on every call (api/authentication.py)."""
    _deleted, per_model = AuthToken.objects.filter(expiry__lte=timezone.now()).delete()
    return per_model.get(AuthToken._meta.label, 0)


def token_list(*, user):
    """The person's own tokens that still work, newest first (expired ones are removed)."""
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    return ApiToken.objects.filter(token__user=user).select_related("token")


def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of the person's own tokens; another person's is simply not found."""
    api_token = ApiToken.objects.filter(pk=token_id, token__user=user).first()
    if api_token is None:
        return False
    api_token.token.delete()
    return True


def tokens_revoke_all(*, user) -> int:
    """Every token of the person stops working (a role lost, an account handed back)."""
    knox_tokens = AuthToken.objects.filter(user=user)
    count = knox_tokens.count()
    knox_tokens.delete()
    return count
