"""Browser tests run against live_server in a transactional database.

A transactional test flushes the rows that migrations created, so each test puts them back
(the `transactional_site` fixture).
"""

import pytest

from tests.factories import program_prebuilt


@pytest.fixture
def program(transactional_site):
    return program_prebuilt("city-fire")


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}
