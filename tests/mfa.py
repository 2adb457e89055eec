"""A real TOTP second factor for test people, and codes for it.

Most tests sign people in with force_login and are about something else: the autouse
fixture in conftest gives every new user an authenticator and counts each test sign-in
as having passed the second factor. Tests marked `real_mfa` get neither and go through
the real enrolment and sign-in flow.
"""

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save

SECRETS: dict[int, str] = {}


def enrol(user) -> str:
    """Give the person a TOTP authenticator; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    SECRETS[user.pk] = secret
    return secret


def code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset: periods later or earlier)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(secret, counter))


def _enrol_new_user(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        enrol(instance)


def _second_factor_passed(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None:
            record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
            from programs import security

            security.remember_factors(request, user)


def pretend_everyone_enrolled():
    User = get_user_model()
    post_save.connect(_enrol_new_user, sender=User, dispatch_uid="tests-mfa-enrol")
    user_logged_in.connect(_second_factor_passed, dispatch_uid="tests-mfa-passed")


def stop_pretending():
    User = get_user_model()
    post_save.disconnect(sender=User, dispatch_uid="tests-mfa-enrol")
    user_logged_in.disconnect(dispatch_uid="tests-mfa-passed")
