"""Staff sign-in: failed attempts are limited per account, without storing who tried."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_clock")]

PASSWORD = "correct horse battery staple"


def sign_in(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_a_wrong_password_says_so_and_the_right_one_signs_in(client, supporter):
    assert sign_in(client, supporter.email, "nope").status_code == 200
    response = sign_in(client, supporter.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_after_five_failures_the_account_waits_even_with_the_right_password(client, supporter):
    for _attempt in range(5):
        assert sign_in(client, supporter.email, "guess").status_code == 200
    response = sign_in(client, supporter.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_locked_account_does_not_lock_out_a_colleague(client, supporter, coordinator):
    for _attempt in range(6):
        sign_in(client, supporter.email, "guess")
    assert sign_in(client, coordinator.email, PASSWORD).status_code == 302


def test_the_account_can_sign_in_again_once_the_window_has_passed(client, supporter):
    for _attempt in range(5):
        sign_in(client, supporter.email.upper(), "guess")  # the name's case does not matter
    assert sign_in(client, supporter.email, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(client, supporter.email, PASSWORD).status_code == 302


def test_the_cache_never_holds_the_account_name(client, supporter):
    for _attempt in range(3):
        sign_in(client, supporter.email, "guess")
    stored = " ".join(f"{k} {v}" for k, v in cache._cache.items())  # LocMemCache internals
    assert "rl:login" in stored
    assert supporter.email not in stored and "supporter" not in stored


def test_a_waiting_account_is_not_even_checked_against_its_password(client, supporter):
    from django.contrib.auth.signals import user_login_failed

    for _attempt in range(5):
        sign_in(client, supporter.email, "guess")
    checked = []
    user_login_failed.connect(lambda **kwargs: checked.append(1), weak=False, dispatch_uid="t")
    try:
        response = sign_in(client, supporter.email, "another guess")
    finally:
        user_login_failed.disconnect(dispatch_uid="t")
    assert response.status_code == 429
    assert checked == []
    assert supporter.email in response.content.decode()  # the name typed is kept
