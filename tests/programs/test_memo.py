"""Staff pages kept per worker (programs.memo): fresh after every change, never shared.

"Another worker" is played by undoing this worker's own at-once numbers after a change, so
only the shared number, raised when the change commits, can make the page fresh.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy import ratelimit
from programs import memo, versions
from programs.models import Case, Membership, Role, SupporterProfile
from programs.services import cases, intake, members
from tests.programs.caseload_support import make_request


@pytest.fixture
def accepted_case(program, coordinator, supporter):
    case = make_request(program)
    cases.case_offer(
        case=case, supporter=SupporterProfile.objects.get(user=supporter), actor=coordinator
    )
    cases.case_accept(case=case, actor=supporter)
    return case


def _caseload(client):
    response = client.get("/caseload/")
    assert response.status_code == 200
    return response.content.decode()


def _waiting(html: str) -> str:
    return html[html.index("Needs your reply first") :].split("</section>")[0]


def _elsewhere(change, capture, *, committed=True):
    """Make the change as another worker would: only the shared number moves here, raised
    by the commit (or, with committed=False, not even that: the raise is lost)."""
    local = dict(versions._local)
    with capture(execute=committed):
        change()
    versions._local.clear()
    versions._local.update(local)


def test_a_change_made_through_another_worker_shows_on_the_next_reload(
    client, supporter, accepted_case, django_capture_on_commit_callbacks
):
    client.force_login(supporter)
    ref = str(accepted_case.pk)[:8]
    assert ref not in _waiting(_caseload(client))

    _elsewhere(
        lambda: intake.requester_reply(case=accepted_case, body="Are you there?"),
        django_capture_on_commit_callbacks,
    )

    assert ref in _waiting(_caseload(client))


def test_without_the_shared_number_another_workers_change_would_wait_for_the_copy_to_age(
    client, supporter, accepted_case, django_capture_on_commit_callbacks, monkeypatch
):
    """The control for the test above: the commit's raise is what made that page fresh."""
    client.force_login(supporter)
    ref = str(accepted_case.pk)[:8]
    assert ref not in _waiting(_caseload(client))
    _elsewhere(
        lambda: intake.requester_reply(case=accepted_case, body="Are you there?"),
        django_capture_on_commit_callbacks,
        committed=False,
    )

    assert ref not in _waiting(_caseload(client))
    start = memo._clock()
    monkeypatch.setattr(memo, "_clock", lambda: start + memo.SECONDS + 1)
    assert ref in _waiting(_caseload(client))


def test_what_changes_with_the_clock_alone_is_at_most_seconds_late(
    client, supporter, accepted_case, monkeypatch
):
    client.force_login(supporter)
    assert "No contact in 14+ days" not in _caseload(client)
    # A write that sends no signal stands for time passing: nothing raises a version.
    Case.objects.filter(pk=accepted_case.pk).update(created_at=timezone.now() - timedelta(days=20))
    assert "No contact in 14+ days" not in _caseload(client)

    start = memo._clock()
    monkeypatch.setattr(memo, "_clock", lambda: start + memo.SECONDS + 1)
    assert "No contact in 14+ days" in _caseload(client)


def test_a_revoked_role_closes_the_page_at_once_though_a_copy_is_kept(
    client, supporter, accepted_case, program, django_capture_on_commit_callbacks
):
    client.force_login(supporter)
    assert str(accepted_case.pk)[:8] in _caseload(client)
    assert len(client.get("/api/v1/caseload/").json()) == 1
    membership = Membership.objects.get(user=supporter, program=program, role=Role.SUPPORTER)

    _elsewhere(  # no version moves at all
        lambda: members.membership_revoke(membership=membership),
        django_capture_on_commit_callbacks,
        committed=False,
    )

    assert client.get("/caseload/").status_code == 404
    assert client.get("/api/v1/caseload/").json() == []


def test_two_supporters_of_one_program_never_see_each_others_copy(
    client, supporter, other_supporter, accepted_case, coordinator, program
):
    theirs = make_request(program)
    other = SupporterProfile.objects.get(user=other_supporter)
    cases.case_offer(case=theirs, supporter=other, actor=coordinator)
    cases.case_accept(case=theirs, actor=other_supporter)
    mine, yours = str(accepted_case.pk)[:8], str(theirs.pk)[:8]

    client.force_login(supporter)
    page = _caseload(client)
    api = client.get("/api/v1/caseload/").json()
    assert mine in page and yours not in page
    assert [c["id"] for c in api] == [str(accepted_case.pk)]

    client.force_login(other_supporter)
    page = _caseload(client)
    api = client.get("/api/v1/caseload/").json()
    assert yours in page and mine not in page
    assert [c["id"] for c in api] == [str(theirs.pk)]


def test_each_session_gets_forms_it_can_send(coordinator, program, supporter):
    """The coordinator page's forms carry the CSRF token of the session that built it: a
    second session of the same person gets its own copy, whose forms it can send."""
    profile = SupporterProfile.objects.get(user=supporter)
    profile.debrief_requested_at = timezone.now()
    profile.save()
    url = f"/coordinate/{program.slug}/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(coordinator)
        assert browser.get(url).status_code == 200
    page = second.get(url).content.decode()
    action = f"/coordinate/{program.slug}/supporters/{profile.pk}/debrief-done/"
    form = page[page.index(f'action="{action}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = second.post(action, {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.debrief_requested_at is None


def test_a_new_request_is_in_the_coordinators_queue_on_the_next_reload(
    client, coordinator, program, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = f"/coordinate/{program.slug}/"
    before = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # and its routing
        submission = intake.case_submit(program=program, message="Hard week")

    after = client.get(url).content.decode()

    ref = str(submission.case.pk)[:8]
    assert ref not in before
    assert ref in after


def _shared(program):
    return versions.read([program.pk])[0][1]


def test_a_new_request_raises_its_programs_version_in_its_rate_limit_count(
    program, django_capture_on_commit_callbacks, settings
):
    settings.TOOLKIT_RATE_LIMIT_STORE = "database"
    before = _shared(program)
    with (
        CaptureQueriesContext(connection) as counted,
        django_capture_on_commit_callbacks(execute=False) as after_commit,
    ):
        intake.case_submit(program=program, message="Hard week", client_key="asker")
    upserts = [q["sql"] for q in counted.captured_queries if "privacy_ratecount" in q["sql"]]

    assert len(upserts) == 1  # the client's count, everyone's and the program's version
    assert _shared(program) == before + 1
    for callback in after_commit:
        callback()  # the routing task's and the flush: nothing more to raise
    assert _shared(program) == before + 1


def test_a_refused_request_leaves_the_programs_version_where_it_was(program, settings):
    settings.TOOLKIT_RATE_LIMIT_STORE = "database"
    settings.TOOLKIT_RATE_LIMITS = {
        **settings.TOOLKIT_RATE_LIMITS,
        "intake": {"client": (1, 3600), "global": (100, 3600)},
    }
    program.intake_limit_per_hour = 1
    intake.case_submit(program=program, message="First", client_key="asker")
    before = _shared(program)

    with pytest.raises(ratelimit.RateLimited):
        intake.case_submit(program=program, message="Second", client_key="asker")

    assert _shared(program) == before
