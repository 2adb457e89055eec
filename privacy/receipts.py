"""Receipt codes: 140 random bits the requester keeps; we keep only a keyed hash.

Codes are Crockford base32 (no I, L, O or U), shown in groups of four. The hash is an
HMAC under a key derived from SECRET_KEY, which never lives in the database.
"""

import math
import re
import secrets

from . import crypto

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 28
GROUP = 4
ENTROPY_BITS = LENGTH * math.log2(len(ALPHABET))  # 140
PURPOSE = "receipt-code"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


class Code(str):
    """A receipt code. It prints as itself, but its repr is hidden, so a code never reaches
    a log line, a traceback or an error report through the repr of a template context."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<receipt code>'"


# Each of the 256 byte values to the symbol of its low five bits: a uniformly random byte
# gives each of the 32 symbols with the same chance (256 is 8 × 32).
_SYMBOL_OF_BYTE = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))
_GROUPS = [slice(i, i + GROUP) for i in range(0, LENGTH, GROUP)]


def generate() -> Code:
    # 28 random bytes from the system's generator, five bits of each kept: 140 bits, each
    # symbol uniform over the 32, as from secrets.choice, for one call instead of 28.
    canonical = secrets.token_bytes(LENGTH).translate(_SYMBOL_OF_BYTE).decode("ascii")
    return Code("-".join(map(canonical.__getitem__, _GROUPS)))


def pretty(canonical: str) -> Code:
    return Code("-".join(canonical[i : i + GROUP] for i in range(0, len(canonical), GROUP)))


def normalise(code: str) -> str | None:
    """The canonical form of what someone typed, or None if it cannot be a code."""
    if not isinstance(code, str) or len(code) > 100:
        return None
    cleaned = re.sub(r"[\s\-_.]", "", code).upper().translate(_CONFUSABLE)
    return cleaned if _VALID.match(cleaned) else None


def digest(code: str) -> str:
    canonical = normalise(code)
    if canonical is None:
        raise ValueError("Not a receipt code.")
    return crypto.keyed_digest(canonical, PURPOSE)


def candidate_digests(code: str) -> list[str]:
    """Digests under SECRET_KEY and each fallback, so codes survive a secret rotation."""
    canonical = normalise(code)
    return crypto.keyed_digests(canonical, PURPOSE) if canonical else []
