"""In Chromium: staff sign in with a password and a code; the Wagtail admin works under its CSP."""

import pytest

from programs.models import Role
from tests import mfa
from tests.factories import make_member

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def test_an_admin_signs_in_with_a_code_and_edits_a_page_with_no_csp_error(
    page, live_server, program
):
    admin = make_member(program, Role.ADMIN, email="e2e-admin@example.org")
    admin.is_superuser = True  # to open the page editor of the home page
    admin.save()
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live_server.url}/admin/login/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert "/accounts/2fa/authenticate/" in page.url
    page.fill("input[name=code]", mfa.code(mfa.SECRETS[admin.pk]))
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("h1").first.is_visible()
    page.goto(f"{live_server.url}/admin/pages/")
    page.locator("a[href*='/admin/pages/'][href$='/edit/']").first.click()
    page.wait_for_load_state("networkidle")
    assert "/edit/" in page.url
    assert violations == []
    # Leave the editor before the test's database is flushed: it pings the server on its own
    # (Wagtail's editing sessions), and a ping during the flush would lock the table.
    page.goto("about:blank")
