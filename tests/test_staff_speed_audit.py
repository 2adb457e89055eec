"""The staff lists stay audited case by case, and API tokens are checked as knox checks them
(less the tidying of the owner's other tokens, which the daily purge does), now that both
cost less (issue 11)."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from programs import versions
from programs.models import CaseAccess, Membership, Role
from programs.services import cases, members
from tests.api.conftest import client_for, profile_of
from tests.factories import make_active_supporter
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db


def _taken(program, supporter, count):
    """`count` requests the supporter has accepted."""
    taken = []
    for _ in range(count):
        case = make_request(program)
        cases.case_offer(case=case, supporter=profile_of(supporter, program), actor=None)
        cases.case_accept(case=case, actor=supporter)
        taken.append(case)
    return taken


def _views():
    return list(
        CaseAccess.objects.filter(action=CaseAccess.Action.VIEW).values_list(
            "case_id", "program_id", "actor_id", "via"
        )
    )


def test_each_api_caseload_load_writes_one_view_row_per_case_shown(
    program, other_program, supporter
):
    make_active_supporter(other_program, email="supporter@example.org")
    shown = [*_taken(program, supporter, 2), *_taken(other_program, supporter, 1)]
    client = client_for(supporter)
    expected = sorted((c.pk, c.program_id, supporter.pk, "api") for c in shown)

    for load in (1, 2):  # the second load is answered from the worker's copy
        CaseAccess.objects.all().delete()
        response = client.get("/api/v1/caseload/")
        assert response.status_code == 200
        assert {str(c.pk) for c in shown} == {item["id"] for item in response.json()}
        assert sorted(_views()) == expected, f"load {load}"


def test_the_coordinator_page_writes_one_view_row_per_queued_request(client, program, coordinator):
    queued = [make_request(program) for _ in range(3)]
    client.force_login(coordinator)
    for _ in range(2):
        CaseAccess.objects.all().delete()
        assert client.get(reverse("programs:coordinate", args=[program.slug])).status_code == 200
        assert sorted(_views()) == sorted((c.pk, program.pk, coordinator.pk, "web") for c in queued)


def test_audit_many_records_each_case_once_under_its_own_program(
    program, other_program, coordinator
):
    here, there = make_request(program), make_request(other_program)
    cases.audit_many(
        cases=[here, there],
        shown=[(here.pk, here.program_id)],
        actor=coordinator,
        action=CaseAccess.Action.VIEW,
        via="api",
    )
    assert sorted(_views()) == sorted(
        [
            (here.pk, program.pk, coordinator.pk, "api"),
            (there.pk, other_program.pk, coordinator.pk, "api"),
        ]
    )


def test_a_token_is_read_once_per_call(supporter):
    client = client_for(supporter)
    client.get("/api/v1/caseload/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/caseload/").status_code == 200
    assert sum(AuthToken._meta.db_table in q["sql"] for q in queries.captured_queries) == 1


def _client_with(key):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_expired_tokens_stop_working_and_the_daily_purge_removes_them(supporter):
    from django.core.management import call_command

    kept, key = AuthToken.objects.create(user=supporter, expiry=timedelta(days=30))
    _stale, stale_key = AuthToken.objects.create(user=supporter, expiry=timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert _client_with(key).get("/api/v1/caseload/").status_code == 200
        call_command("purge_expired", stdout=io.StringIO())
        assert _client_with(stale_key).get("/api/v1/caseload/").status_code == 401
    assert list(AuthToken.objects.filter(user=supporter)) == [kept]


def test_an_expired_token_is_refused_and_removed(supporter):
    _token, key = AuthToken.objects.create(user=supporter, expiry=timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert _client_with(key).get("/api/v1/caseload/").status_code == 401
    assert not AuthToken.objects.filter(user=supporter).exists()


def test_a_wrong_secret_with_a_known_key_is_refused(supporter):
    _token, key = AuthToken.objects.create(user=supporter)
    wrong = key[:15] + "0" * (len(key) - 15)
    assert _client_with(wrong).get("/api/v1/caseload/").status_code == 401
    assert _client_with(key).get("/api/v1/caseload/").status_code == 200


def test_a_coordinator_who_loses_the_role_gets_a_404_though_the_page_is_kept(
    client, program, coordinator, django_capture_on_commit_callbacks
):
    url = reverse("programs:coordinate", args=[program.slug])
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    membership = Membership.objects.get(user=coordinator, program=program, role=Role.COORDINATOR)
    local = dict(versions._local)  # as another worker: no version of this worker moves
    with django_capture_on_commit_callbacks(execute=False):
        members.membership_revoke(membership=membership)
    versions._local.clear()
    versions._local.update(local)
    assert client.get(url).status_code == 404


def test_each_coordinated_program_has_its_own_page_and_its_new_name_shows(
    client, program, other_program, coordinator
):
    members.membership_grant(program=other_program, user=coordinator, role=Role.COORDINATOR)
    client.force_login(coordinator)
    for shown, hidden in ((program, other_program), (other_program, program)):
        html = client.get(reverse("programs:coordinate", args=[shown.slug])).content.decode()
        assert f"Coordinate {shown.name}" in html and f"Coordinate {hidden.name}" not in html
    program.name = "Harbour Station"
    program.save()
    html = client.get(reverse("programs:coordinate", args=[program.slug])).content.decode()
    assert "Coordinate Harbour Station" in html
