"""Receipt codes: 140 random bits the requester keeps; we keep only a keyed hash."""

import re
import secrets

from . import crypto

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
LENGTH = 28  # 28 symbols x 5 bits = 140 bits
GROUP = 4
PURPOSE = "receipt-code"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def generate() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(code: str) -> str | None:
    """The canonical form of what someone typed, or None if it cannot be a code."""
    if not isinstance(code, str):
        return None
    cleaned = re.sub(r"[\s\-_.]", "", code).upper().translate(_CONFUSABLE)
    return cleaned if _VALID.match(cleaned) else None


def digest(code: str) -> str:
    return crypto.keyed_digest(normalise(code) or "", PURPOSE)


def candidate_digests(code: str) -> list[str]:
    """Digests under every data key, so codes survive a key rotation."""
    canonical = normalise(code)
    return crypto.keyed_digests(canonical, PURPOSE) if canonical else []
