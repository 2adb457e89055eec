"""Settings shared by every environment. Secrets and hosts come from the environment."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("TOOLKIT_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
SECRET_KEY = env.str("SECRET_KEY", default="")
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

INSTALLED_APPS = [
    "privacy",
    "programs",
    "cms",
    "newsletter",
    "api",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "programs.apps.StaffUsersAppConfig",  # wagtail.users, with emails kept unique
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    # First, so that nothing after it can see who an anonymous requester is.
    "privacy.middleware.AnonymityMiddleware",
    # Second: a cached anonymous page is answered before sessions, auth or the database.
    "cms.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: idle timeout, sign-out on a factor change, forced enrolment.
    "programs.security.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "programs.outage.OutageMiddleware",
]

ROOT_URLCONF = "toolkit.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "toolkit.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'toolkit.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Only statements bound on the server can be prepared, and only the intake's is
    # (toolkit.database.write_together): prepared once it has run twice on a connection,
    # PostgreSQL skips parsing and planning it again. 0 turns preparing off (a connection
    # pooler older than PgBouncer 1.21 in transaction mode).
    prepare_after = env.int("DATABASE_PREPARE_THRESHOLD", default=2)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = prepare_after or None
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Rendered anonymous public pages (cms.pagecache). Local to each worker is fine: the
# invalidation stamps live in the shared default cache, so every worker's entries go
# stale at once. PAGE_CACHE_URL may point at a shared Redis or memcached instead.
PAGE_CACHE = env.cache("PAGE_CACHE_URL", default="locmemcache://toolkit-pages")
if PAGE_CACHE["BACKEND"].endswith("LocMemCache"):
    PAGE_CACHE.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 2000)
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://toolkit"), "pages": PAGE_CACHE}
# Serve anonymous public pages (no cookie, no form token) from the "pages" cache.
TOOLKIT_PAGE_CACHE = env.bool("TOOLKIT_PAGE_CACHE", default=True)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "anonymous user" row: anonymous requesters never hold permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Argon2 first: older scrypt and PBKDF2 hashes still verify and are rehashed on sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "programs:home"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# One staff sign-in door for the site, the Wagtail admin and the browsable API: allauth's,
# at /accounts/login/. Accounts come only from invitations, so nobody can sign up.
ACCOUNT_ADAPTER = "programs.security.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never mail an address that has no account
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset must still pass the second factor
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the other sessions end; this one stays
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failed passwords are counted by programs.security (per account, keyed hash, with a
# global cap). allauth's own counter keys the cache on a plain hash of the email, so it
# is off; its code-entry limit (one key per account number) stays on.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/15m/key",
    "reset_password": None,
    "reset_password_from_key": "20/15m/ip",
    "login": "30/m/ip",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Peer Support Toolkit"
MFA_ADAPTER = "programs.security.StaffMFAAdapter"
# Staff sessions: signed out after this long without a request, and after
# SESSION_COOKIE_AGE whatever they do.
TOOLKIT_STAFF_IDLE_TIMEOUT = env.int("TOOLKIT_STAFF_IDLE_TIMEOUT", default=30 * 60)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "toolkit" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Privacy: no referrer leaves our pages, no error report carries who asked.
# "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null` with
# every POST, and Django's CSRF check then refuses every staff form (login included).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_AGE = None  # a browser-session cookie, never a persistent one
DEFAULT_EXCEPTION_REPORTER_FILTER = "privacy.reporting.PrivacyExceptionReporterFilter"

CONTENT_SECURITY_POLICY = {
    # The Wagtail admin and the API docs need inline scripts; public pages do not.
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# The Wagtail admin's own policy (set by programs.security, django-csp skips /admin/).
# Wagtail 8 still writes inline <script> and style="" attributes in the page editor, so
# 'unsafe-inline' stays for scripts and styles; everything else is locked to this site:
# no third-party script, image or font host, no posting or framing elsewhere, no plugins.
TOOLKIT_ADMIN_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="peer-support@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Wagtail
# The Wagtail dashboard's title and the default site's name.
WAGTAIL_SITE_NAME = env.str("TOOLKIT_SITE_NAME", default="Peer Support Toolkit")
WAGTAILADMIN_BASE_URL = env.str("TOOLKIT_BASE_URL", default="http://127.0.0.1:8000")
# Review emails (submitted, approved, changes requested) name the page, never a case.
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_USE_HTML = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False  # allauth's reset is the only one
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = True
# No unverified email changes in the admin: an email decides who receives invitations.
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False

# REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.JSONContentNegotiation",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"staff": "600/minute", "reports": "60/minute", "token": "10/hour"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 - swappable; its migrations ask
SPECTACULAR_SETTINGS = {
    "TITLE": "Peer Support Toolkit API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "programs.models.Case.Status",
        "SupporterStatusEnum": "programs.models.SupporterProfile.Status",
        "ReferralKindEnum": "programs.models.ReferralKind",
        "HelpResourceKindEnum": "programs.models.HelpResource.Kind",
    },
}

# The toolkit's own settings.
# TOOLKIT_DATA_KEY: one or more Fernet keys, comma-separated, newest first. The first
# encrypts; all decrypt, so a key can be rotated in without losing old data.
TOOLKIT_DATA_KEY = env.str("TOOLKIT_DATA_KEY", default="")
TOOLKIT_BASE_URL = env.str("TOOLKIT_BASE_URL", default="http://127.0.0.1:8000")
# Fixed-window limits: (requests, seconds), per client and for everyone together.
TOOLKIT_RATE_LIMITS = {
    # intake "client" is the default per connection; a program may set its own
    # (Program.intake_limit_per_hour), since a workplace may share one address.
    "intake": {"client": (20, 60 * 60), "global": (300, 60 * 60)},
    "lookup": {"client": (10, 10 * 60), "global": (600, 10 * 60)},
    # Failed staff sign-ins, counted per account ("client" here is a hash of the name).
    "login": {"client": (5, 15 * 60), "global": (1000, 15 * 60)},
    # "Forgot password" requests, per client and per account (both keyed hashes).
    "password_reset": {"client": (5, 60 * 60), "global": (500, 60 * 60)},
    # Newsletter sign-ups per connection (each address also gets one email per 10 minutes).
    "subscribe": {"client": (10, 60 * 60), "global": (1000, 60 * 60)},
}
# Where rate-limit counts live: "database" (the RateCount table) or "cache" (for a Redis or
# memcached CACHE_URL, whose incr is atomic). Empty: "cache" for those two, else "database".
TOOLKIT_RATE_LIMIT_STORE = env.str("TOOLKIT_RATE_LIMIT_STORE", default="")
# How many proxies in front of us append to X-Forwarded-For (0: use the socket address).
TOOLKIT_TRUSTED_PROXIES = env.int("TOOLKIT_TRUSTED_PROXIES", default=0)
TOOLKIT_QUICK_EXIT_URL = env.str("TOOLKIT_QUICK_EXIT_URL", default="https://www.wikipedia.org/")
