"""Settings for the HTTP benchmarks: production, served over plain HTTP on loopback, with the
anonymous rate limits lifted (every simulated requester comes from 127.0.0.1), plus the
bench-only baseline app (bench/baseline), which no other settings module installs."""

from toolkit.settings.production import *  # noqa: F403
from toolkit.settings.production import INSTALLED_APPS, REST_FRAMEWORK, TOOLKIT_RATE_LIMITS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]
ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
TOOLKIT_RATE_LIMITS = {
    **TOOLKIT_RATE_LIMITS,
    "intake": {"client": (10**9, 60 * 60), "global": (10**9, 60 * 60)},
}
# Staff API calls are throttled per account (600 a minute); the bench makes thousands.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "staff": "10000000/minute",
    },
}
