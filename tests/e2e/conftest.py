"""Browser tests run against live_server in a transactional database.

A transactional test flushes the rows that migrations created (Wagtail's root page,
locale and site, and our topic and language vocabulary), so each test puts them back.
"""

import importlib

import pytest
from django.apps import apps

from tests.factories import program_prebuilt


@pytest.fixture
def e2e_site(transactional_db):
    from wagtail.models import Locale

    from cms.sections import ensure_home

    vocabulary = importlib.import_module("programs.migrations.0002_vocabulary")
    vocabulary.add(apps, None)
    Locale.objects.get_or_create(language_code="en")
    ensure_home()


@pytest.fixture
def program(e2e_site):
    return program_prebuilt("city-fire")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}
