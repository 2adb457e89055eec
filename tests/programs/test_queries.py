"""Pages and matching issue a fixed number of SQL queries, however many cases or supporters."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programs import eligibility, memo, versions
from programs.models import (
    Case,
    CaseAccess,
    Message,
    SupporterProfile,
    Topic,
    TrainingCompletion,
)
from programs.services import cases
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db

Status = Case.Status
# Closed first: with no closed case at all, Django rightly skips one prefetch query.
CYCLE = ["closed", Status.OFFERED, Status.NEW, Status.CONTACTED, Status.ACTIVE, Status.REFERRED]
_serial = itertools.count()


def _add_cases(program, n, *, assigned_to=None, statuses=CYCLE):
    """n requests with a message and a topic each, in bulk (the router is not run)."""
    now = timezone.now()
    statuses = itertools.cycle(statuses)
    requests = []
    for _ in range(n):
        status = next(statuses)
        requests.append(
            Case(
                program=program,
                receipt_hash=f"bulk-{next(_serial)}",
                status=status,
                assigned_to=assigned_to if status != Status.QUEUED else None,
                created_at=now,
                requester_seen_at=now,
                closed_at=now if status == "closed" else None,
                outcome="supported" if status == "closed" else "",
                crisis_flag=next(_serial) % 7 == 0,
            )
        )
    Case.objects.bulk_create(requests)
    Message.objects.bulk_create(
        Message(case=r, sender="requester", body="words", created_at=now) for r in requests
    )
    topic = Topic.objects.get(slug="stress")
    Case.topics.through.objects.bulk_create(
        Case.topics.through(case_id=r.pk, topic_id=topic.pk) for r in requests
    )
    versions.changed(program.pk)  # bulk_create sends no signal; the services' saves do


def _count(client, url) -> int:
    client.get(url)  # warm process-wide caches (content types) that the first request fills
    memo.forget()  # count a build of the page, not a reload of the copy kept (programs.memo)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_caseload_page_runs_the_same_queries_for_5_and_200_cases(client, supporter):
    profile = SupporterProfile.objects.get(user=supporter)
    client.force_login(supporter)
    _add_cases(profile.program, 5, assigned_to=profile)
    few = _count(client, "/caseload/")
    _add_cases(profile.program, 195, assigned_to=profile)
    many = _count(client, "/caseload/")
    assert Case.objects.filter(assigned_to=profile).count() == 200
    assert few == many


def test_the_coordinator_page_runs_the_same_queries_for_5_and_200_cases(
    client, program, coordinator, supporter, other_supporter
):
    profile = SupporterProfile.objects.get(user=supporter)
    SupporterProfile.objects.filter(program=program).update(max_active_cases=500)
    client.force_login(coordinator)
    url = f"/coordinate/{program.slug}/"

    def add(n):
        queued = n // 2
        _add_cases(program, queued, statuses=[Status.QUEUED])
        _add_cases(program, n - queued, assigned_to=profile)

    add(5)
    few = _count(client, url)
    add(195)
    many = _count(client, url)
    assert Case.objects.filter(program=program).count() == 200
    assert few == many


def test_a_case_page_runs_the_same_queries_however_long_the_conversation(client, supporter):
    profile = SupporterProfile.objects.get(user=supporter)
    case = make_request(profile.program, assigned_to=profile, status=Status.ACTIVE)
    client.force_login(supporter)
    url = f"/caseload/cases/{case.pk}/"

    def talk(n):
        for _ in range(n):
            cases.staff_reply(case=case, actor=supporter, body="still here")

    talk(2)
    few = _count(client, url)
    talk(40)
    many = _count(client, url)
    assert few == many


def _roster(program, n):
    """n trained, active supporters, in bulk."""
    start = next(_serial) * 1000
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bulk{start + i}", email=f"bulk{start + i}@example.org")
        for i in range(n)
    )
    profiles = SupporterProfile.objects.bulk_create(
        SupporterProfile(
            program=program, user=u, display_name=u.username, status="active", offers_phone=True
        )
        for u in users
    )
    today = timezone.localdate()
    TrainingCompletion.objects.bulk_create(
        TrainingCompletion(supporter=p, requirement=r, completed_on=today)
        for p in profiles
        for r in program.training_requirements.all()
    )
    return profiles


def test_matching_is_one_query_however_large_the_roster(program, django_assert_num_queries):
    request = make_request(program, topics=["stress"])
    _roster(program, 3)
    with django_assert_num_queries(1):
        few = list(eligibility.candidates(case=request))
    _roster(program, 60)
    with django_assert_num_queries(1):
        many = list(eligibility.candidates(case=request))
    assert (len(few), len(many)) == (3, 63)


def test_ranking_a_queue_is_at_most_seven_queries_however_many_requests(
    program, django_assert_max_num_queries
):
    for size, n in ((10, 2), (60, 40)):
        _roster(program, size)
        requests = [make_request(program) for _ in range(n)]
        with django_assert_max_num_queries(7):
            ranked = eligibility.ranked_for_cases(cases=requests)
        assert all(len(ranked[r.pk]) == 3 for r in requests)


# The API's equivalents, and the audit each list writes: one INSERT for the whole page.

AUDIT_INSERT = 'INSERT INTO "programs_caseaccess"'


def _queries(client, url) -> list[str]:
    client.get(url)  # warm process-wide caches, as above
    memo.forget()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def _audit_inserts(sql: list[str]) -> int:
    return sum(statement.startswith(AUDIT_INSERT) for statement in sql)


def test_the_api_caseload_runs_the_same_queries_and_one_audit_insert_for_5_and_200_cases(
    client, supporter
):
    profile = SupporterProfile.objects.get(user=supporter)
    client.force_login(supporter)
    _add_cases(profile.program, 5, assigned_to=profile)
    few = _queries(client, "/api/v1/caseload/")
    _add_cases(profile.program, 195, assigned_to=profile)
    before = CaseAccess.objects.count()
    many = _queries(client, "/api/v1/caseload/")
    open_cases = Case.objects.filter(assigned_to=profile).exclude(status="closed").count()

    assert len(few) == len(many)
    assert _audit_inserts(few) == _audit_inserts(many) == 1
    assert CaseAccess.objects.count() - before == 2 * open_cases  # a row per case, each read


def test_the_api_queue_runs_the_same_queries_and_one_audit_insert_for_5_and_200_requests(
    client, program, coordinator
):
    client.force_login(coordinator)
    url = f"/api/v1/programs/{program.slug}/queue/"
    _add_cases(program, 5, statuses=[Status.QUEUED])
    few = _queries(client, url)
    _add_cases(program, 195, statuses=[Status.QUEUED])
    many = _queries(client, url)

    assert len(few) == len(many)
    assert _audit_inserts(few) == _audit_inserts(many) == 1


def test_the_coordinator_page_writes_its_audit_in_one_insert(
    client, program, coordinator, supporter
):
    client.force_login(coordinator)
    _add_cases(program, 30, statuses=[Status.QUEUED])
    before = CaseAccess.objects.count()
    sql = _queries(client, f"/coordinate/{program.slug}/")

    assert _audit_inserts(sql) == 1
    assert CaseAccess.objects.count() - before == 2 * 20  # two reads of a page of 20


def test_the_api_case_runs_the_same_queries_however_long_the_conversation(client, supporter):
    profile = SupporterProfile.objects.get(user=supporter)
    case = make_request(profile.program, assigned_to=profile, status=Status.ACTIVE)
    client.force_login(supporter)
    url = f"/api/v1/cases/{case.pk}/"
    cases.staff_reply(case=case, actor=supporter, body="still here")
    few = _queries(client, url)
    for _ in range(40):
        cases.staff_reply(case=case, actor=supporter, body="still here")
    many = _queries(client, url)

    assert len(few) == len(many)
    assert _audit_inserts(many) == 1


def test_a_staff_request_reads_the_users_roles_once(client, supporter, coordinator, program):
    """However many permission checks a page makes, guardian's table is read once."""
    profile = SupporterProfile.objects.get(user=supporter)
    _add_cases(profile.program, 20, assigned_to=profile)
    for user, url in (
        (supporter, "/caseload/"),
        (supporter, "/api/v1/caseload/"),
        (coordinator, f"/coordinate/{program.slug}/"),
        (coordinator, f"/api/v1/programs/{program.slug}/queue/"),
    ):
        client.force_login(user)
        sql = _queries(client, url)
        assert sum('"guardian_userobjectpermission"' in q for q in sql) == 1, url
