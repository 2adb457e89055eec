"""API fixtures: callers by role, each with a real token, and a few cases to look at."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from programs.models import SupporterProfile
from programs.services import cases
from tests.factories import submit_request

SECRET_TEXT = "Nobody at the station knows I have been struggling since March."
QUEUED_TEXT = "Waiting for someone to talk to about the night shift."
ROLES = [
    "admin",
    "coordinator",
    "supporter",
    "other_supporter",
    "other_program_admin",
    "other_program_coordinator",
    "outsider",
    "anonymous",
]


def client_for(user) -> APIClient:
    client = APIClient()
    client.default_format = "json"  # the API reads JSON only
    if user is not None:
        _instance, key = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def cast(
    admin,
    coordinator,
    supporter,
    other_supporter,
    other_program_admin,
    other_program_coordinator,
    outsider,
):
    return {
        "admin": admin,
        "coordinator": coordinator,
        "supporter": supporter,
        "other_supporter": other_supporter,
        "other_program_admin": other_program_admin,
        "other_program_coordinator": other_program_coordinator,
        "outsider": outsider,
        "anonymous": None,
    }


@pytest.fixture
def clients(cast):
    return {role: client_for(user) for role, user in cast.items()}


def profile_of(user, program) -> SupporterProfile:
    return SupporterProfile.objects.get(user=user, program=program)


@pytest.fixture
def assigned_case(program, supporter):
    """A request the supporter has accepted."""
    submission = submit_request(program, message=SECRET_TEXT, alias="Sam")
    case = submission.case
    cases.case_offer(case=case, supporter=profile_of(supporter, program), actor=None)
    cases.case_accept(case=case, actor=supporter)
    case.refresh_from_db()
    case.receipt_code = submission.receipt_code
    return case


@pytest.fixture
def queued_case(program):
    submission = submit_request(program, message=QUEUED_TEXT)
    case = submission.case
    case.receipt_code = submission.receipt_code
    return case


@pytest.fixture
def generous_limits(settings):
    """Many callers from one test client: lift the per-client anonymous limits."""
    settings.TOOLKIT_RATE_LIMITS = {
        scope: {"client": (1000, 3600), "global": (1000, 3600)} for scope in ("intake", "lookup")
    }
