"""The cast: an admin, a coordinator and two supporters in one program, and strangers."""

import importlib
import os
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import caches

from cms import pagecache
from programs import forms, memo, selectors, versions
from programs.models import Role
from programs.views import public
from tests.factories import make_active_supporter, make_member, make_program, program_prebuilt

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def transactional_site(transactional_db):
    """For a test that runs outside a transaction (the browser tests, the intake as in
    production): another such test's flush removed what migrations made (Wagtail's root
    page, locale and site, our topic and language vocabulary), so it is put back."""
    from django.apps import apps
    from wagtail.models import Locale

    from cms.sections import ensure_home

    importlib.import_module("programs.migrations.0002_vocabulary").add(apps, None)
    Locale.objects.get_or_create(language_code="en")
    ensure_home()


@pytest.fixture(autouse=True)
def _fresh_cache():
    for store in caches.all():
        store.clear()
    pagecache._kept_stamps.clear()
    memo.forget()
    versions.forget_local()
    # Kept per worker and judged fresh by wall-clock stamps, which tests move with
    # time_machine: one test's copy must never answer in the next.
    selectors._public_memo.clear()
    public._receipt_pages.clear()
    forms._fitted_fields.clear()
    yield
    for store in caches.all():
        store.clear()
    pagecache._kept_stamps.clear()
    memo.forget()
    versions.forget_local()
    # Kept per worker and judged fresh by wall-clock stamps, which tests move with
    # time_machine: one test's copy must never answer in the next.
    selectors._public_memo.clear()
    public._receipt_pages.clear()


@pytest.fixture(autouse=True)
def _second_factor(request):
    """Everyone has a TOTP authenticator and has passed it, unless the test is `real_mfa`."""
    if request.node.get_closest_marker("real_mfa"):
        yield
        return
    from tests import mfa

    mfa.pretend_everyone_enrolled()
    yield
    mfa.stop_pretending()


@pytest.fixture
def steady_clock():
    """Start well inside a rate-limit window (they are fixed on the clock, and client keys
    change at UTC midnight), so a test that counts hits cannot flake across an edge."""
    with time_machine.travel(datetime(2026, 6, 10, 12, 3, tzinfo=UTC), tick=True):
        yield


PROGRAMS = {"city-fire": "first-responder", "river-hospital": "healthcare"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Bootstrap the cast's two programs (pages, settings, crisis lines) once per test
    database instead of once per test: each test runs in a transaction that is rolled back,
    so every test still starts from the same two untouched programs."""
    with django_db_blocker.unblock():
        for slug, template in PROGRAMS.items():
            make_program(slug, template=template)


@pytest.fixture
def program(db):
    return program_prebuilt("city-fire", PROGRAMS["city-fire"])


@pytest.fixture
def other_program(db):
    return program_prebuilt("river-hospital", PROGRAMS["river-hospital"])


@pytest.fixture
def admin(program):
    return make_member(program, Role.ADMIN, email="hr-admin@example.org")


@pytest.fixture
def coordinator(program):
    return make_member(program, Role.COORDINATOR, email="coordinator@example.org")


@pytest.fixture
def supporter(program):
    return make_active_supporter(program, email="supporter@example.org", topics=["trauma"]).user


@pytest.fixture
def other_supporter(program):
    return make_active_supporter(program, email="other-supporter@example.org").user


@pytest.fixture
def other_program_admin(other_program):
    return make_member(other_program, Role.ADMIN, email="other-admin@example.org")


@pytest.fixture
def other_program_coordinator(other_program):
    return make_member(other_program, Role.COORDINATOR, email="other-coordinator@example.org")


@pytest.fixture
def outsider(db):
    from tests.factories import UserFactory

    return UserFactory(email="outsider@example.org")


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(email="editor@example.org")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def everyone(admin, coordinator, supporter, other_supporter, other_program_admin, outsider):
    return {
        "admin": admin,
        "coordinator": coordinator,
        "supporter": supporter,
        "other_supporter": other_supporter,
        "other_program_admin": other_program_admin,
        "outsider": outsider,
    }


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }
