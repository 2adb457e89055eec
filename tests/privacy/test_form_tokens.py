"""A one-time form token stays used for as long as it is valid, whatever else fills the cache."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy import formtokens

pytestmark = pytest.mark.django_db

PURPOSE = "request:1"


@pytest.fixture
def tiny_database_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "form_token_test_cache",
            "OPTIONS": {"MAX_ENTRIES": 50},
        }
    }
    call_command("createcachetable", verbosity=0)


@pytest.mark.usefixtures("tiny_database_cache")
def test_a_replayed_form_is_refused_even_after_the_cache_culled_its_entries():
    token = formtokens.issue(PURPOSE)
    formtokens.consume(token, PURPOSE)
    cache.add("form-used:kept-in-the-cache", 1)  # how used tokens were once kept
    for n in range(300):
        cache.set(f"other:{n}", True)
    assert cache.get("form-used:kept-in-the-cache") is None  # the cache culled it
    with pytest.raises(formtokens.Replayed):
        formtokens.consume(token, PURPOSE)


@pytest.mark.usefixtures("tiny_database_cache")
def test_using_a_token_is_one_statement_and_a_released_one_can_be_sent_again():
    token = formtokens.issue(PURPOSE)
    with CaptureQueriesContext(connection) as used:
        formtokens.consume(token, PURPOSE)
    assert len(used.captured_queries) == 1
    formtokens.release(token, PURPOSE)
    formtokens.consume(token, PURPOSE)  # refused before, so not spent: accepted once more
    with pytest.raises(formtokens.Replayed):
        formtokens.consume(token, PURPOSE)


def test_a_token_for_another_form_is_invalid():
    with pytest.raises(formtokens.Invalid):
        formtokens.consume(formtokens.issue("request:2"), PURPOSE)
