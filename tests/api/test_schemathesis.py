"""Property-based check of the whole API against its own OpenAPI schema, in-process.

Schemathesis generates requests from /api/schema/ and sends each one twice: as a
supporter and as a coordinator (both with tokens). No answer may be a server error,
use an undocumented status or content type, or break the documented response schema.
The seed is fixed (derandomize) and the number of examples bounded.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.throttling import StaffThrottle
from programs.services import tokens
from tests.api.conftest import profile_of

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Token routes would revoke the identities this test runs as.
SKIPPED = {"/api/v1/auth/tokens/", "/api/v1/auth/tokens/{id}/"}
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}


@pytest.fixture
def test_transaction_kept_open():
    """Calling the WSGI app directly fires request_started/finished, whose handler closes a
    connection that is inside a transaction: the test's own, on PostgreSQL. Django's test
    client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled_staff(monkeypatch):
    rates = {**StaffThrottle.THROTTLE_RATES, "staff": "100000/minute", "reports": "100000/minute"}
    monkeypatch.setattr(StaffThrottle, "THROTTLE_RATES", rates)


def test_api_answers_every_generated_request_as_its_schema_says(
    program,
    supporter,
    coordinator,
    assigned_case,
    queued_case,
    generous_limits,
    unthrottled_staff,
    test_transaction_kept_open,
):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    identities = [
        {"Authorization": f"Token {tokens.token_create(user=supporter, name='schemathesis')[1]}"},
        {"Authorization": f"Token {tokens.token_create(user=coordinator, name='schemathesis')[1]}"},
    ]
    real = {
        "slug": program.slug,
        "case_id": str(assigned_case.pk),
        "entry_id": profile_of(supporter, program).pk,
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        if operation.path in SKIPPED:
            continue
        fixed = {p.name: real[p.name] for p in operation.path_parameters if p.name in real}
        for mode, examples in EXAMPLES.items():
            for path_parameters in ({}, fixed) if fixed else ({},):
                negatable = list(operation.query) or list(operation.body)
                if not path_parameters:
                    negatable = negatable or list(operation.path_parameters)
                if mode == GenerationMode.NEGATIVE and not negatable:
                    continue  # nothing in this request could be made invalid
                strategy = operation.as_strategy(
                    generation_mode=mode, path_parameters=path_parameters
                )
                try:
                    _run(strategy, identities, examples)
                except Unsatisfiable:
                    # Only where the schema leaves nothing to get wrong (any string is a
                    # valid slug, say): there is no invalid request to send.
                    assert mode == GenerationMode.NEGATIVE, operation.label


def _run(strategy, identities, examples):
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        for headers in identities:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

    check()
