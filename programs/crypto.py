"""Encryption at rest for free text, and keyed hashes for secrets we must recognise."""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _keys() -> list[str]:
    keys = [k.strip() for k in settings.TOOLKIT_DATA_KEY.split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured("TOOLKIT_DATA_KEY is not set.")
    return keys


@functools.lru_cache(maxsize=4)
def _fernet(key_setting: str) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


def fernet() -> MultiFernet:
    return _fernet(settings.TOOLKIT_DATA_KEY)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Stored data cannot be decrypted with TOOLKIT_DATA_KEY; was a key removed?"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    return fernet().rotate(token.encode()).decode()


@functools.lru_cache(maxsize=32)
def _derived(key: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        key.encode()
    )


def keyed_digests(value: str, purpose: str) -> list[str]:
    """HMAC-SHA256 of value under a key derived from each data key, newest first."""
    return [
        hmac.new(_derived(k, purpose), value.encode(), hashlib.sha256).hexdigest() for k in _keys()
    ]


def keyed_digest(value: str, purpose: str) -> str:
    return keyed_digests(value, purpose)[0]


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; empty text is stored as NULL."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return None
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return ""
        return decrypt(value)

    def to_python(self, value):
        return "" if value is None else value
