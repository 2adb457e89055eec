"""Staff sign-in: one door, a second factor for everyone, limits per account, sessions that end."""

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone

from privacy.models import RateCount
from programs.models import Role
from programs.services import members, second_factor
from tests import mfa
from tests.factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_clock")]

PASSWORD = "correct horse battery staple"
OLD_LOGIN_ROUTES = ["/admin/login/", "/_util/login/", "/api-auth/login/"]


def sign_in(client, email, password, url="/accounts/login/"):
    return client.post(url, {"login": email, "password": password})


def enter_code(client, secret, offset=0):
    return client.post("/accounts/2fa/authenticate/", {"code": mfa.code(secret, offset=offset)})


def sign_in_fully(client, user, password=PASSWORD):
    response = sign_in(client, user.email, password)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    return enter_code(client, mfa.SECRETS[user.pk])


def signed_in(client) -> bool:
    return client.get("/me/").status_code == 200


# One door


@pytest.mark.parametrize("url", OLD_LOGIN_ROUTES)
def test_every_old_login_route_sends_people_to_the_one_door(client, supporter, url):
    response = client.get(url + "?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    posted = client.post(url, {"username": supporter.email, "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_the_admin_sends_signed_out_people_to_the_one_door(client):
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/login/?next=/admin/")


def test_wagtails_own_password_reset_is_off(client):
    assert client.get("/admin/password_reset/").status_code in (302, 404)


def test_nobody_can_sign_up(client):
    client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "a long new password 1", "password2": "x"},
    )
    assert not get_user_model().objects.filter(email="new@example.org").exists()


def test_five_wrong_passwords_on_one_door_then_one_on_another_is_refused(client, supporter):
    for _attempt in range(5):
        sign_in(client, supporter.email, "guess")
    for url in OLD_LOGIN_ROUTES:
        sign_in(client, supporter.email, PASSWORD, url=url)
        assert "_auth_user_id" not in client.session
    assert sign_in(client, supporter.email, PASSWORD).status_code == 429


# Failed-attempt limit, per account


def test_a_wrong_password_says_so_and_the_right_one_and_code_sign_in(client, supporter):
    response = sign_in(client, supporter.email, "nope")
    assert response.status_code == 200
    assert "Please check your answers" in response.content.decode()
    assert sign_in_fully(client, supporter).status_code == 302
    assert signed_in(client)


def test_after_five_failures_the_account_waits_even_with_the_right_password(client, supporter):
    for _attempt in range(5):
        assert sign_in(client, supporter.email, "guess").status_code == 200
    response = sign_in(client, supporter.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts for this account" in response.content.decode()
    assert not signed_in(client)


def test_one_locked_account_does_not_lock_out_a_colleague(client, supporter, coordinator):
    for _attempt in range(6):
        sign_in(client, supporter.email, "guess")
    assert sign_in_fully(client, coordinator).status_code == 302


def test_the_account_can_sign_in_again_once_the_window_has_passed(client, supporter):
    for _attempt in range(5):
        sign_in(client, supporter.email.upper(), "guess")  # the name's case does not matter
    assert sign_in(client, supporter.email, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(client, supporter.email, PASSWORD).status_code == 302


def test_neither_the_cache_nor_the_rate_counts_hold_the_account_name(client, supporter):
    for _attempt in range(3):
        sign_in(client, supporter.email, "guess")
    stored = " ".join(f"{k} {v}" for c in caches.all() for k, v in c._cache.items())  # LocMem
    stored += " ".join(f"{row.key} {row.expires}" for row in RateCount.objects.all())
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


def test_wrong_codes_are_limited_too(client, supporter):
    sign_in(client, supporter.email, PASSWORD)
    for _attempt in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    response = enter_code(client, mfa.SECRETS[supporter.pk])
    assert "Too many failed attempts" in response.content.decode()
    assert not signed_in(client)


# The second factor, for real


@pytest.mark.real_mfa
def test_without_a_second_factor_a_person_reaches_only_enrolment(client, program):
    user = make_member(program, Role.COORDINATOR, email="new-coordinator@example.org")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    for url in ["/me/", "/caseload/", f"/coordinate/{program.slug}/", "/admin/", "/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/accounts/2fa/totp/activate/", url
    api = client.get("/api/v1/caseload/")
    assert api.status_code == 403
    assert "Set up two-factor authentication" in api.json()["error"]["message"]
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


@pytest.mark.real_mfa
def test_setting_up_an_authenticator_opens_the_staff_pages(client, program):
    user = make_member(program, Role.SUPPORTER, email="new-supporter@example.org")
    sign_in(client, user.email, PASSWORD)
    page = client.get("/accounts/2fa/totp/activate/")
    assert "authenticator" in page.content.decode().lower()
    secret = client.session["mfa.totp.secret"]
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "123456"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=user).exists()
    client.post("/accounts/2fa/totp/activate/", {"code": mfa.code(secret)})
    kinds = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert kinds == {"totp", "recovery_codes"}
    assert signed_in(client)
    # The secret is stored encrypted with the data key, not in clear.
    stored = Authenticator.objects.get(user=user, type="totp").data["secret"]
    assert secret not in stored


@pytest.mark.real_mfa
def test_an_enrolled_person_needs_the_code_and_a_code_works_once(client, supporter):
    secret = mfa.enrol(supporter)
    response = sign_in(client, supporter.email, PASSWORD)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    code = mfa.code(secret)
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert signed_in(client)
    again = Client()
    sign_in(again, supporter.email, PASSWORD)
    again.post("/accounts/2fa/authenticate/", {"code": code})  # replayed
    assert not signed_in(again)


@pytest.mark.real_mfa
def test_a_password_only_session_of_an_enrolled_person_is_signed_out(client, supporter):
    mfa.enrol(supporter)
    client.force_login(supporter)  # as a forgotten login route would
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.real_mfa
def test_token_api_calls_are_not_held_by_the_enrolment_rule(client, supporter):
    from programs.services import tokens

    _token, key = tokens.token_create(user=supporter, name="Laptop")
    response = client.get("/api/v1/caseload/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# Resetting a colleague's second factor


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_a_coordinator_or_admin_resets_a_colleagues_second_factor(client, request, supporter, who):
    actor = request.getfixturevalue(who)
    colleague = Client()
    colleague.force_login(supporter)
    client.force_login(actor)
    program = supporter.memberships.get().program
    response = client.post(f"/coordinate/{program.slug}/second-factors/", {"person": supporter.pk})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=supporter).exists()
    # The colleague's open session ends at once.
    assert colleague.get("/me/")["Location"].startswith("/accounts/login/")
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action=second_factor.ACTION)
    assert entry.user_id == actor.pk and entry.object_id == str(supporter.pk)


def test_another_programs_admin_cannot_reset_a_second_factor(
    client, supporter, other_program_admin
):
    program = supporter.memberships.get().program
    client.force_login(other_program_admin)
    response = client.post(f"/coordinate/{program.slug}/second-factors/", {"person": supporter.pk})
    assert response.status_code == 404
    other = other_program_admin.memberships.get().program
    with pytest.raises(Exception):  # noqa: B017
        second_factor.second_factor_reset(
            person=supporter, program=other, actor=other_program_admin
        )
    assert Authenticator.objects.filter(user=supporter).exists()


def test_a_person_in_a_program_the_actor_does_not_manage_is_refused(
    client, coordinator, other_program
):
    program = coordinator.memberships.get().program
    shared = make_member(program, Role.SUPPORTER, email="shared@example.org")
    members.membership_grant(program=other_program, user=shared, role=Role.COORDINATOR)
    client.force_login(coordinator)
    client.post(f"/coordinate/{program.slug}/second-factors/", {"person": shared.pk})
    assert Authenticator.objects.filter(user=shared).exists()


def test_a_supporter_cannot_reset_anyones_second_factor(client, supporter, other_supporter):
    program = supporter.memberships.get().program
    client.force_login(supporter)
    response = client.post(
        f"/coordinate/{program.slug}/second-factors/", {"person": other_supporter.pk}
    )
    assert response.status_code == 404
    assert Authenticator.objects.filter(user=other_supporter).exists()


# Sessions


def test_thirty_idle_minutes_sign_a_person_out(client, supporter):
    client.force_login(supporter)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert signed_in(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=40)):
        assert signed_in(client)  # 20 minutes since the last request
    with time_machine.travel(timezone.now() + timedelta(minutes=71)):
        response = client.get("/me/")
    assert response["Location"].startswith("/accounts/login/")


@override_settings(TOOLKIT_STAFF_IDLE_TIMEOUT=5 * 60)
def test_the_idle_timeout_is_a_setting(client, supporter):
    client.force_login(supporter)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert not signed_in(client)


def test_a_busy_session_still_ends_after_its_lifetime(client, supporter):
    client.force_login(supporter)
    start = timezone.now()
    for minutes in range(20, 8 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert signed_in(client), minutes
    with time_machine.travel(start + timedelta(hours=8, minutes=5)):
        assert not signed_in(client)


def test_changing_the_password_signs_out_every_other_session(client, supporter):
    other = Client()
    other.force_login(supporter)
    client.force_login(supporter)
    new = "a brand new long passphrase"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(other)


# Passwords


def invitation_form(client, program, capture, email="newcomer@example.org"):
    """Follow the emailed invitation of a new member to its set-password form."""
    with capture(execute=True):
        added = members.member_add(program=program, email=email, role=Role.COORDINATOR)
    (link,) = [
        w for m in mail.outbox if email in m.to for w in m.body.split() if "/invitation/" in w
    ]
    form_url = client.get(link)["Location"]
    return added.user, form_url


@pytest.mark.parametrize(
    "password,problem",
    [
        ("short pass1", "at least 12"),
        ("password1234", "too common"),
        ("newcomer@example.org", "too similar"),
    ],
)
def test_weak_passwords_are_refused_on_the_set_password_page(
    client, program, password, problem, django_capture_on_commit_callbacks
):
    _user, form_url = invitation_form(client, program, django_capture_on_commit_callbacks)
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert problem in response.content.decode()


def test_the_set_password_link_saves_and_sends_to_sign_in(
    client, program, django_capture_on_commit_callbacks
):
    user, form_url = invitation_form(client, program, django_capture_on_commit_callbacks)
    new = "my own long passphrase"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert "Your password is set" in response.content.decode()
    assert 'href="/accounts/login/"' in response.content.decode()
    assert "_auth_user_id" not in client.session  # the second factor still comes first
    user.refresh_from_db()
    assert user.check_password(new)


def test_argon2_is_the_first_hasher_outside_tests():
    from toolkit.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_an_old_hash_is_upgraded_to_argon2_at_sign_in(client, supporter):
    get_user_model().objects.filter(pk=supporter.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    sign_in_fully(client, supporter)
    supporter.refresh_from_db()
    assert supporter.password.startswith("argon2")


# Forgot password


def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(client, supporter):
    known = client.post("/accounts/password/reset/", {"email": supporter.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [[supporter.email]]


def test_forgot_password_is_limited(client, supporter):
    for _attempt in range(5):
        client.post("/accounts/password/reset/", {"email": f"x{_attempt}@example.org"})
    response = client.post("/accounts/password/reset/", {"email": supporter.email})
    assert response.status_code == 429
    assert mail.outbox == []


def test_a_reset_password_still_needs_the_second_factor_and_ends_other_sessions(client, supporter):
    other = Client()
    other.force_login(supporter)
    client.post("/accounts/password/reset/", {"email": supporter.email})
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/password/reset/key/" in w)
    path = link.split("://", 1)[-1].split("/", 1)[1]
    form_url = client.get("/" + path)["Location"]
    new = "another long passphrase"
    client.post(form_url, {"password1": new, "password2": new})
    assert not signed_in(client)
    assert not signed_in(other)
    assert sign_in(client, supporter.email, new)["Location"] == "/accounts/2fa/authenticate/"


# Where people land


def test_an_editor_lands_in_the_admin_and_sees_a_link_to_it(client, editor):
    response = sign_in_fully(client, editor)
    assert response["Location"] == "/admin/"
    home = client.get("/me/").content.decode()
    assert 'href="/admin/"' in home
    assert "You do not have a role in any program yet" not in home


def test_a_programs_editor_lands_in_the_admin_too(client, program):
    writer = make_member(program, Role.EDITOR, email="program-editor@example.org")
    assert sign_in_fully(client, writer)["Location"] == "/admin/"
    assert 'href="/admin/"' in client.get("/me/").content.decode()


# Headers


def test_staff_pages_with_case_content_are_never_stored(client, coordinator, supporter):
    program = coordinator.memberships.get().program
    client.force_login(coordinator)
    for url in ["/me/", f"/coordinate/{program.slug}/", "/api/v1/caseload/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url
    client.force_login(supporter)
    assert "no-store" in client.get("/caseload/")["Cache-Control"]


def test_the_wagtail_admin_has_a_content_security_policy(client, admin):
    client.force_login(admin)
    policy = client.get("/admin/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy and "form-action 'self'" in policy
