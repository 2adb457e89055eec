"""Limits on what people write, shared by intake and the case services (a leaf module)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_MESSAGE_LENGTH = 5000


def validate_body(body: str) -> str:
    """A message as it will be stored: trimmed, not empty, not too long."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {"body": _("Please keep this under %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}}
        )
    return body
