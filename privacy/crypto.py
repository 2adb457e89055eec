"""Encryption at rest for free text, and keyed hashes for secrets we must recognise.

Free text is encrypted with MultiFernet under TOOLKIT_DATA_KEY (newest key first; every
key decrypts). Keyed hashes (receipt codes, rate-limit keys) use a key derived from
SECRET_KEY instead, so rotating the data key never breaks a receipt code.
"""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def data_keys() -> list[str]:
    keys = [k.strip() for k in settings.TOOLKIT_DATA_KEY.split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured("TOOLKIT_DATA_KEY is not set.")
    return keys


@functools.lru_cache(maxsize=4)
def _fernet(key_setting: str) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in data_keys()])


@functools.lru_cache(maxsize=4)
def _newest(key_setting: str) -> Fernet:
    return Fernet(data_keys()[0])


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


def under_newest_key(token: str) -> bool:
    """True if the newest key alone can read this token."""
    try:
        _newest(settings.TOOLKIT_DATA_KEY).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


@functools.lru_cache(maxsize=32)
def _derived(secret: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret.encode()
    )


def keyed_digests(value: str, purpose: str) -> list[str]:
    """HMAC-SHA256 of value under a key derived from SECRET_KEY, then each fallback."""
    return [
        hmac.new(_derived(s, purpose), value.encode(), hashlib.sha256).hexdigest()
        for s in _secrets()
    ]


def keyed_digest(value: str, purpose: str) -> str:
    return hmac.new(
        _derived(settings.SECRET_KEY, purpose), value.encode(), hashlib.sha256
    ).hexdigest()


def encrypted_fields():
    """Every (model, field) stored encrypted, across all installed apps."""
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


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
