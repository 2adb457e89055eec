"""Signed one-time form tokens for anonymous forms.

Anonymous pages set no cookies, so Django's CSRF cookie cannot be used there. Instead each
form carries a signed, expiring nonce; a nonce seen before is a replayed form.
"""

import secrets

from django.core import signing
from django.core.cache import cache

SALT = "toolkit.anonymous-form"
MAX_AGE = 60 * 60 * 6


def issue(purpose: str) -> str:
    return signing.dumps({"n": secrets.token_urlsafe(16), "p": purpose}, salt=SALT)


class Invalid(Exception):
    pass


class Replayed(Exception):
    pass


def consume(token: str, purpose: str) -> None:
    """Accept a token once; raise Invalid (tampered, expired) or Replayed (used before)."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:
        raise Invalid from exc
    if data.get("p") != purpose:
        raise Invalid
    if not cache.add(f"form-used:{data['n']}", 1, timeout=MAX_AGE + 60):
        raise Replayed


def check(token: str, purpose: str) -> None:
    """Validate without using up the token (for steps before the final submit)."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:
        raise Invalid from exc
    if data.get("p") != purpose:
        raise Invalid
