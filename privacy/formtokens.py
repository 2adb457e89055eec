"""Signed one-time form tokens for anonymous forms.

Anonymous pages set no cookies, so Django's CSRF cookie cannot be used there. Instead each
form carries a signed, expiring nonce. A token for the request form is only issued once
the requester has acknowledged the program's limits of confidentiality, so holding one
proves that acknowledgement. A nonce seen before is a replayed form. The cache holds
only used nonces, which say nothing about who sent them.
"""

import secrets

from django.core import signing
from django.core.cache import cache
from django.utils import timezone

SALT = "toolkit.anonymous-form"
MAX_AGE = 60 * 60 * 6


class Invalid(Exception):
    """Missing, tampered with, or issued for another form."""


class Expired(Invalid):
    """Genuine, but older than MAX_AGE."""


class Replayed(Exception):
    """Genuine, but already used once."""


def issue(purpose: str) -> str:
    return signing.dumps({"n": secrets.token_urlsafe(16), "p": purpose}, salt=SALT)


def _load(token: str, purpose: str) -> dict:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        try:
            data = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            raise Invalid from exc
        if data.get("p") != purpose:
            raise Invalid from exc
        raise Expired from exc
    except signing.BadSignature as exc:
        raise Invalid from exc
    if not isinstance(data, dict) or data.get("p") != purpose:
        raise Invalid
    return data


def check(token: str, purpose: str) -> None:
    """Validate without using up the token; raise Invalid, Expired."""
    _load(token, purpose)


def consume(token: str, purpose: str) -> None:
    """Accept a token once; raise Invalid, Expired or Replayed."""
    data = _load(token, purpose)
    # Expire on the hour, so the cache does not record when the form was sent.
    now = int(timezone.now().timestamp())
    timeout = MAX_AGE + 3600 - now % 3600
    if not cache.add(f"form-used:{data['n']}", 1, timeout=timeout):
        raise Replayed


def release(token: str, purpose: str) -> None:
    """Make a consumed token usable again: what it was to send was refused, not sent."""
    try:
        data = _load(token, purpose)
    except Invalid:
        return
    cache.delete(f"form-used:{data['n']}")
