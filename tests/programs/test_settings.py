"""Production settings refuse to start without their secrets, and pass Django's deploy checks."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SECRETS = ("SECRET_KEY", "ALLOWED_HOSTS", "TOOLKIT_DATA_KEY")
GOOD = {
    "SECRET_KEY": "prod-7q#v9w!c2m@x4z8k1s$e6r0t3y5u&i7o9p-l2j4h6g8f0d",
    "ALLOWED_HOSTS": "peer-support.example.org",
    "TOOLKIT_DATA_KEY": "rzKXaMu2ZZ6m6W0-HUc0r2a2KfM1Q5p9Yk0ZBNzmRYo=",
}


def production(*args, **env_overrides) -> subprocess.CompletedProcess:
    # The test run's own switches (DEBUG, async-unsafe for browser tests) are not production's.
    dropped = {*SECRETS, "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(DJANGO_SETTINGS_MODULE="toolkit.settings.production", **env_overrides)
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", SECRETS)
def test_production_refuses_to_start_without_each_secret(missing):
    given = {k: v for k, v in GOOD.items() if k != missing}
    result = production("check", **given)
    assert result.returncode != 0
    assert "Set these environment variables before starting" in result.stderr
    assert missing in result.stderr.splitlines()[-1]


def test_production_names_every_missing_secret_at_once():
    result = production("check")
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert all(name in last for name in SECRETS)


def test_production_refuses_a_data_key_that_is_not_a_fernet_key():
    result = production("check", **{**GOOD, "TOOLKIT_DATA_KEY": "not-a-key"})
    assert result.returncode != 0
    assert "TOOLKIT_DATA_KEY must be Fernet keys" in result.stderr


def test_production_passes_the_deploy_checks_as_warnings_when_given_its_secrets():
    result = production("check", "--deploy", "--fail-level", "WARNING", **GOOD)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_staff_login_works_as_a_browser_sends_it_with_its_origin(coordinator):
    """Under a no-referrer policy browsers send `Origin: null`, which CSRF refuses."""
    import re

    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    assert page["Referrer-Policy"] == "same-origin"
    assert 'content="no-referrer"' not in page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = browser.post(
        "/accounts/login/",
        {
            "login": coordinator.email,
            "password": "correct horse battery staple",
            "csrfmiddlewaretoken": token.group(1),
        },
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302
