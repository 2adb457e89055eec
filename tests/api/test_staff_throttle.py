"""Signed-in API calls are limited per account, counted like every other rate limit."""

import pytest
from django.core.cache import cache

from api.throttling import StaffThrottle
from privacy.models import RateCount
from tests.api.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_clock")]


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(
        StaffThrottle, "THROTTLE_RATES", {**StaffThrottle.THROTTLE_RATES, "staff": "3/minute"}
    )


def test_past_its_rate_an_account_gets_a_429_and_others_do_not(
    supporter, coordinator, three_a_minute
):
    api = client_for(supporter)
    assert [api.get("/api/v1/caseload/").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/api/v1/caseload/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert client_for(coordinator).get("/api/v1/caseload/").status_code == 200
    counted = RateCount.objects.get(key__startswith=f"rl:api:staff:{supporter.pk}:")
    assert counted.count == 4
    assert not [key for key in cache._cache if "throttle" in key]  # no DRF history list


def test_listing_my_tokens_counts_as_a_staff_call(supporter, three_a_minute):
    api = client_for(supporter)
    assert [api.get("/api/v1/auth/tokens/").status_code for _ in range(3)] == [200, 200, 200]
    assert api.get("/api/v1/auth/tokens/").status_code == 429
