"""API tokens: one per person, shown once when made, revoked by deleting it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


@transaction.atomic
def token_create(*, user) -> str:
    """A new token for an active person; any older token stops working at once."""
    if not user.is_active:
        raise ValidationError({"user": _("This account is not active.")})
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def token_revoke(*, user) -> bool:
    """Delete the person's token; True if there was one."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)
