"""Signed one-time form tokens for anonymous forms.

Anonymous pages set no cookies, so Django's CSRF cookie cannot be used there. Instead each
form carries a signed, expiring nonce. A token for the request form is only issued once
the requester has acknowledged the program's limits of confidentiality, so holding one
proves that acknowledgement. A nonce seen before is a replayed form. Used nonces are
counted where the rate limits count (one statement, and never culled the way Django's
database cache culls its entries, which would let a replay through); they say nothing
about who sent them.
"""

import secrets
from datetime import UTC, datetime

from django.core import signing
from django.utils import timezone

from . import ratelimit

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


def _used_key(data: dict) -> str:
    return f"form-used:{data['n']}"


def check(token: str, purpose: str) -> dict:
    """Validate without using up the token; raise Invalid, Expired. What it answers can be
    handed to `use` later, so the token is read once."""
    return _load(token, purpose)


def consume(token: str, purpose: str) -> None:
    """Accept a token once; raise Invalid, Expired or Replayed."""
    use(_load(token, purpose))


def spending(checked: dict) -> ratelimit.Count:
    """The count that spends a token `check` let through: its key may be counted once. For
    a caller that takes it in its own statement (the intake, with its rows and its rate
    limits, its limit the key's ceiling there: the database refuses a second use)."""
    # Expire on the hour, so the store does not record when the form was sent.
    now = int(timezone.now().timestamp())
    expires = datetime.fromtimestamp(now + MAX_AGE + 3600 - now % 3600, tz=UTC)
    key = _used_key(checked)
    return ratelimit.Count({key: expires}, {key: 1})


def spent(checked: dict) -> bool:
    """Whether a token `check` let through has been used (to tell a replay from another
    refusal of the statement that would have spent it)."""
    return ratelimit.store().count(_used_key(checked)) > 0


def use(checked: dict) -> None:
    """Accept a token that `check` let through, once; raise Replayed. With the counts in the
    database, a use inside a transaction is undone with it, so a refused form does not
    spend its token."""
    spend = spending(checked)
    if not spend.within(ratelimit.store().hit_many(spend.expiries)):
        raise Replayed


def release(token: str, purpose: str) -> None:
    """Make a consumed token usable again: what it was to send was refused, not sent."""
    try:
        data = _load(token, purpose)
    except Invalid:
        return
    ratelimit.store().forget(_used_key(data))
