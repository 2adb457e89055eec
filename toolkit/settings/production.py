"""Production: every secret comes from the environment, and nothing starts without it."""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, PAGE_CACHE, SECRET_KEY, TOOLKIT_DATA_KEY, env

_missing = [
    name
    for name, value in (
        ("SECRET_KEY", SECRET_KEY),
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("TOOLKIT_DATA_KEY", TOOLKIT_DATA_KEY),
    )
    if not value
]
if _missing:
    raise ImproperlyConfigured(
        "Set these environment variables before starting: "
        + ", ".join(_missing)
        + ". See the 'Deploying' section of README.md."
    )
for _key in TOOLKIT_DATA_KEY.split(","):
    try:
        Fernet(_key.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(
            "TOOLKIT_DATA_KEY must be Fernet keys separated by commas; make one with "
            "'python -c \"from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())\"'."
        ) from exc

DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A cache shared by every worker (used form tokens, sign-in limits); rate-limit counts live
# in the database (privacy.RateCount) unless CACHE_URL is Redis or memcached.
# Rendered public pages stay in each worker's memory ("pages", see base.py); only their
# invalidation stamps are read from the shared default cache.
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://toolkit_cache"),
    "pages": PAGE_CACHE,
}
