"""Settings for the load-and-fault run: production, served over plain HTTP on loopback, with the
anonymous rate limits lifted (every simulated requester comes from 127.0.0.1)."""

from toolkit.settings.production import *  # noqa: F403
from toolkit.settings.production import TOOLKIT_RATE_LIMITS

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
TOOLKIT_RATE_LIMITS = {
    **TOOLKIT_RATE_LIMITS,
    "intake": {"client": (10**9, 60 * 60), "global": (10**9, 60 * 60)},
}
