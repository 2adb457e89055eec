"""Staff sign-in: one door, a second factor for everyone, and sessions that end.

Every person who can sign in is staff (requesters never have accounts), so every signed-in
session is held to these rules:

- No second factor yet: only enrolment, sign-out and static files answer; pages redirect
  to enrolment and session-authenticated API calls get a 403 that says why.
- A second factor, but this session never proved it (a password-only sign-in through a
  door that should not exist): signed out.
- The person's second factors changed since this session proved one (a colleague reset
  them, or they were changed in another browser): signed out. Password changes already
  end other sessions through Django's session hash.
- No request for TOOLKIT_STAFF_IDLE_TIMEOUT seconds, or signed in longer than
  SESSION_COOKIE_AGE: signed out.

Token-authenticated API calls carry no session and are not affected here.
"""

import hashlib
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from privacy import crypto, ratelimit

from . import permissions
from .models import Role

LOGIN_SCOPE = "login"
RESET_SCOPE = "password_reset"
# Authenticators that are a second factor by themselves (recovery codes come with one).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
STAMP_KEY = "toolkit_mfa_stamp"
SIGNED_IN_KEY = "toolkit_signed_in_at"
SEEN_KEY = "toolkit_seen_at"
# Reachable by a signed-in person who has no second factor yet.
ENROLMENT_PREFIXES = ("/accounts/", "/static/", "/leave/", "/favicon.ico")


def account_key(login: str) -> str:
    """The rate-limit key for an account name: a keyed hash, never the name itself."""
    return crypto.keyed_digest((login or "").strip().lower(), "login-account")[:32]


def login_locked(login: str) -> bool:
    return ratelimit.exceeded(LOGIN_SCOPE, account_key(login))


def _factor_rows(user):
    return list(
        Authenticator.objects.filter(user=user).order_by("pk").values_list("pk", "type", "data")
    )


def has_second_factor(user, rows=None) -> bool:
    if rows is None:
        rows = _factor_rows(user)
    return any(kind in SECOND_FACTORS for _pk, kind, _data in rows)


def factor_stamp(user, rows=None) -> str:
    """Changes whenever the person's second factors are added, removed or regenerated."""
    if rows is None:
        rows = _factor_rows(user)
    parts = []
    for pk, kind, data in rows:
        # Recovery codes mark used codes in their data; only a regeneration (a new seed)
        # counts as a change, so using a code does not sign the person out.
        seed = (data or {}).get("seed") or (data or {}).get("secret") or ""
        parts.append(f"{pk}:{kind}:{seed}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _proved_second_factor(request) -> bool:
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def remember_factors(request, user) -> None:
    """This session stays signed in across its own change of second factors."""
    request.session[STAMP_KEY] = factor_stamp(user)


@receiver(user_logged_in)
def _start_staff_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_KEY] = now
    request.session[SEEN_KEY] = now
    remember_factors(request, user)


def _api_error(code: str, message: str, status: int):
    # The API's one error shape (api/exceptions.py).
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _sign_out(request, message: str):
    logout(request)
    if request.path_info.startswith("/api/"):
        return _api_error("signed_out", message, 401)
    messages.info(request, message)
    return redirect(reverse("login") + "?" + urlencode({"next": request.get_full_path()}))


def _staff_headers(request, response):
    """Nothing a signed-in person sees is kept by a browser or a proxy; the admin gets a CSP.

    Token-authenticated API calls are known only after the view ran (DRF sets the user),
    so the check reads request.user on the way out.
    """
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in or request.path_info.startswith("/api/v1/"):
        add_never_cache_headers(response)
    if request.path_info.startswith("/admin/") and "Content-Security-Policy" not in response:
        response["Content-Security-Policy"] = settings.TOOLKIT_ADMIN_CSP
    return response


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or getattr(request, "anonymous_requester", False)
        ):
            return _staff_headers(request, self.get_response(request))
        refused = self._check(request, user)
        if refused is not None:
            return refused
        permissions.memo_for_request(user)  # the user's roles are read once per request
        return _staff_headers(request, self.get_response(request))

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        signed_in = session.get(SIGNED_IN_KEY, now)
        seen = session.get(SEEN_KEY, now)
        if now - seen > settings.TOOLKIT_STAFF_IDLE_TIMEOUT:
            return _sign_out(
                request, _("You were signed out after a while without activity. Sign in again.")
            )
        if now - signed_in > settings.SESSION_COOKIE_AGE:
            return _sign_out(request, _("Your session has ended. Sign in again."))
        if now - seen >= 60 or SEEN_KEY not in session:  # one session write a minute at most
            session[SEEN_KEY] = now
            session.setdefault(SIGNED_IN_KEY, now)
        rows = _factor_rows(user)  # the one query this adds to a staff request
        stamp = factor_stamp(user, rows)
        if session.get(STAMP_KEY, stamp) != stamp:
            return _sign_out(
                request,
                _(
                    "Your second factor was changed, so every session was signed out. "
                    "Sign in again."
                ),
            )
        if has_second_factor(user, rows):
            if not _proved_second_factor(request):
                return _sign_out(request, _("Sign in with your password and your second factor."))
            session.setdefault(STAMP_KEY, stamp)
            return None
        if request.path_info.startswith(ENROLMENT_PREFIXES):
            return None
        message = _(
            "Set up two-factor authentication before you continue: every staff account needs "
            "an authenticator app."
        )
        if request.path_info.startswith("/api/"):
            return _api_error("second_factor_required", message, 403)
        return redirect("mfa_activate_totp")


def _own_request(user):
    """The request in which this person is changing their own factors, if that is what runs."""
    request = context.request  # set by allauth's middleware for the current request
    if request is None or not hasattr(request, "session"):
        return None
    current = getattr(request, "user", None)
    if current is None or not current.is_authenticated or current.pk != user.pk:
        return None
    return request


@receiver(post_save, sender=Authenticator)
def _factor_saved(sender, instance, created, **kwargs):
    # Runs inside allauth's view (its own signals wait for the commit, after the session
    # is saved). Activating a factor means typing a valid code from it: this session has
    # proved it, and stays signed in across its own change.
    request = _own_request(instance.user)
    if request is None:
        return
    if created and instance.type in SECOND_FACTORS:
        record_authentication(request, instance.user, "mfa", id=instance.pk, type=instance.type)
    remember_factors(request, instance.user)


@receiver(post_delete, sender=Authenticator)
def _factor_deleted(sender, instance, **kwargs):
    request = _own_request(instance.user)
    if request is not None:
        remember_factors(request, instance.user)


class StaffAccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations; failed passwords count per account across the site."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _lazy(
            "Too many failed attempts for this account. Please wait 15 minutes and try "
            "again, or ask your program admin for a new set-password link."
        ),
    }

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # The anonymity middleware has removed the address; allauth's per-client limits
        # count the same keyed, daily-rotating hash our own limits use.
        return getattr(request, "client_key", "") or "unknown"

    def pre_authenticate(self, request, **credentials):
        login = credentials.get("email") or credentials.get("username") or ""
        if login_locked(login):
            request.toolkit_login_locked = True
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        login = credentials.get("email") or credentials.get("username") or ""
        ratelimit.allow(LOGIN_SCOPE, account_key(login))

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Forced enrolment comes straight after the password: asking for it again would
        # only teach people to type it twice. Changing an existing factor still asks.
        request = context.request
        user = getattr(request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not has_second_factor(user)
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_login_redirect_url(self, request):
        # Editors (of a program, or of the whole site) work in the Wagtail admin.
        user = request.user
        if not user.memberships.exclude(role=Role.EDITOR).exists() and user.has_perm(
            "wagtailadmin.access_admin"
        ):
            return "/admin/"
        return super().get_login_redirect_url(request)


class StaffMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are encrypted with the data key, like request text."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator) -> bool:
        # A second factor is required: a person cannot switch theirs off. A coordinator
        # or program admin can reset it (programs.services.second_factor).
        return authenticator.type not in SECOND_FACTORS
