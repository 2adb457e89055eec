"""Every route, for every role, allowed and refused; lists filtered; cases 404 when hidden."""

import pytest

from programs.models import Case, CaseAccess, CaseEvent, Role, SupporterProfile
from programs.services import cases
from tests.api.conftest import QUEUED_TEXT, ROLES, SECRET_TEXT, client_for, profile_of
from tests.factories import make_active_supporter, submit_request
from tests.routes import all_routes

pytestmark = pytest.mark.django_db

PUBLIC = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {**dict.fromkeys(ROLES, 200), "anonymous": 401}
# A case: its supporter and the program's coordinator; nobody else knows it exists.
CASE_HANDLERS = {
    "admin": 404,
    "coordinator": 200,
    "supporter": 200,
    "other_supporter": 404,
    "other_program_admin": 404,
    "other_program_coordinator": 404,
    "outsider": 404,
    "anonymous": 401,
}
# Program staff pages: members without the permission get 403, strangers 404.
ROSTER = {
    "admin": 200,
    "coordinator": 200,
    "supporter": 403,
    "other_supporter": 403,
    "other_program_admin": 404,
    "other_program_coordinator": 404,
    "outsider": 404,
    "anonymous": 401,
}
QUEUE = {**ROSTER, "admin": 403}
REPORTS = {**ROSTER, "coordinator": 403}
ASSIGN_QUEUED = {**CASE_HANDLERS, "supporter": 404}  # a queued case is nobody's yet
# The supporter's own actions, as on the case page: only the case's own supporter; even
# the program's coordinator (who can read the case) is told it is not there.
OWN_CASE = {**CASE_HANDLERS, "coordinator": 404}


def _check(clients, expected, call, ok_status=200):
    """Refused roles first, so that allowed writes do not change what they would see."""
    order = sorted(expected, key=lambda role: expected[role] == 200)
    seen = {}
    for role in order:
        response = call(clients[role], role)
        seen[role] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}, response.content
    wanted = {role: ok_status if code == 200 else code for role, code in expected.items()}
    assert seen == wanted


def test_every_api_route_is_in_this_matrix():
    """A new route must be added here (and so to the tests) before it can ship."""
    names = {r.name for r in all_routes() if r.path.startswith("api/v1/") and r.name}
    assert names == {
        "requests",
        "intake_form",
        "resources",
        "request_lookup",
        "request_messages",
        "request_withdraw",
        "request_plan",  # issue 15: safety plan, and the requester's copy
        "request_copy",
        "case_plan",
        "caseload",
        "case",
        "case_messages",
        "case_notes",
        "case_assign",
        "case_accept",
        "case_decline",
        "case_status",
        "case_refer",
        "case_handover",
        "case_close",
        "programs",
        "roster",
        "roster_entry",
        "queue",
        "reports",
        "audit",
        "tokens",
        "token",
    }


# ---------------------------------------------------------------- public and anonymous


def test_resources_and_intake_form_are_public(clients, program):
    _check(clients, PUBLIC, lambda c, r: c.get(f"/api/v1/programs/{program.slug}/resources/"))
    _check(clients, PUBLIC, lambda c, r: c.get(f"/api/v1/programs/{program.slug}/intake-form/"))


def test_anyone_may_ask_for_support_and_a_token_changes_nothing(clients, program, generous_limits):
    def call(client, role):
        return client.post(
            f"/api/v1/programs/{program.slug}/requests/", {"message": f"from {role}"}
        )

    _check(clients, PUBLIC, call, ok_status=201)
    assert Case.objects.filter(program=program).count() == len(ROLES)


def test_the_receipt_code_alone_opens_a_request_whoever_calls(
    clients, queued_case, generous_limits
):
    code = queued_case.receipt_code
    _check(clients, PUBLIC, lambda c, r: c.post("/api/v1/requests/lookup/", {"receipt_code": code}))
    _check(
        clients,
        PUBLIC,
        lambda c, r: c.post("/api/v1/requests/messages/", {"receipt_code": code, "body": r}),
        ok_status=201,
    )
    assert queued_case.messages.count() == 1 + len(ROLES)


def test_withdraw_works_with_the_code_and_then_the_code_is_gone(clients, queued_case):
    code = queued_case.receipt_code
    first = clients["outsider"].post("/api/v1/requests/withdraw/", {"receipt_code": code})
    assert first.status_code == 200
    assert first.json() == {"status": "withdrawn"}
    again = clients["anonymous"].post("/api/v1/requests/withdraw/", {"receipt_code": code})
    assert again.status_code == 404
    queued_case.refresh_from_db()
    assert queued_case.status == Case.Status.WITHDRAWN
    assert queued_case.messages.count() == 0


# ---------------------------------------------------------------- supporter routes


def test_caseload_lists_only_my_own_cases(clients, assigned_case, queued_case):
    _check(clients, STAFF_ONLY, lambda c, r: c.get("/api/v1/caseload/"))
    assert [c["id"] for c in clients["supporter"].get("/api/v1/caseload/").json()] == [
        str(assigned_case.pk)
    ]
    for role in ["admin", "coordinator", "other_supporter", "other_program_admin", "outsider"]:
        assert clients[role].get("/api/v1/caseload/").json() == []


def test_case_detail_for_its_supporter_and_coordinator_only(clients, assigned_case):
    _check(clients, CASE_HANDLERS, lambda c, r: c.get(f"/api/v1/cases/{assigned_case.pk}/"))
    body = clients["supporter"].get(f"/api/v1/cases/{assigned_case.pk}/").json()
    assert [m["body"] for m in body["messages"]] == [SECRET_TEXT]
    assert body["alias"] == "Sam"


def test_case_status_change_for_its_supporter_and_coordinator_only(clients, assigned_case):
    statuses = iter(["contacted", "active"])

    def call(client, role):
        status = next(statuses) if CASE_HANDLERS[role] == 200 else "contacted"
        return client.patch(f"/api/v1/cases/{assigned_case.pk}/", {"status": status})

    _check(clients, CASE_HANDLERS, call)
    assigned_case.refresh_from_db()
    assert assigned_case.status == Case.Status.ACTIVE


def test_case_reply_for_its_supporter_and_coordinator_only(clients, assigned_case):
    def call(client, role):
        return client.post(f"/api/v1/cases/{assigned_case.pk}/messages/", {"body": f"hi {role}"})

    _check(clients, CASE_HANDLERS, call, ok_status=201)
    bodies = sorted(m.body for m in assigned_case.messages.exclude(sender="requester"))
    assert bodies == ["hi coordinator", "hi supporter"]


def test_case_note_for_its_supporter_and_coordinator_only(clients, assigned_case):
    def call(client, role):
        return client.post(
            f"/api/v1/cases/{assigned_case.pk}/notes/", {"contact_type": "phone", "text": role}
        )

    _check(clients, CASE_HANDLERS, call, ok_status=201)
    assert sorted(n.text for n in assigned_case.notes.all()) == ["coordinator", "supporter"]


@pytest.fixture
def offered_case(program, supporter):
    case = submit_request(program, message=QUEUED_TEXT).case
    cases.case_offer(case=case, supporter=profile_of(supporter, program), actor=None)
    return case


def test_accepting_an_offer_is_for_the_supporter_it_was_offered_to(clients, offered_case):
    _check(clients, OWN_CASE, lambda c, r: c.post(f"/api/v1/cases/{offered_case.pk}/accept/"))
    offered_case.refresh_from_db()
    assert offered_case.status == Case.Status.NEW


def test_declining_an_offer_is_for_the_supporter_it_was_offered_to(clients, offered_case):
    def call(client, role):
        return client.post(f"/api/v1/cases/{offered_case.pk}/decline/", {"reason": "capacity"})

    _check(clients, OWN_CASE, call)
    offered_case.refresh_from_db()
    assert offered_case.status == Case.Status.QUEUED
    assert offered_case.assigned_to is None
    decline = offered_case.events.get(kind=CaseEvent.Kind.DECLINED)
    assert decline.reason == "capacity"


def test_status_change_is_for_the_cases_own_supporter(clients, assigned_case):
    def call(client, role):
        return client.post(f"/api/v1/cases/{assigned_case.pk}/status/", {"status": "active"})

    _check(clients, OWN_CASE, call)
    assigned_case.refresh_from_db()
    assert assigned_case.status == Case.Status.ACTIVE


def test_recording_a_referral_is_for_the_cases_own_supporter(clients, assigned_case):
    def call(client, role):
        return client.post(f"/api/v1/cases/{assigned_case.pk}/refer/", {"kind": "eap"})

    _check(clients, OWN_CASE, call, ok_status=201)
    assert list(assigned_case.referrals.values_list("kind", flat=True)) == ["eap"]


def test_asking_for_a_handover_is_for_the_cases_own_supporter(clients, assigned_case):
    _check(clients, OWN_CASE, lambda c, r: c.post(f"/api/v1/cases/{assigned_case.pk}/handover/"))
    response = clients["supporter"].get(f"/api/v1/cases/{assigned_case.pk}/")
    assert response.status_code == 200
    assert assigned_case.events.filter(kind=CaseEvent.Kind.HANDOVER).count() == 1


def test_closing_is_for_the_cases_own_supporter(clients, assigned_case):
    def call(client, role):
        return client.post(
            f"/api/v1/cases/{assigned_case.pk}/close/",
            {"outcome": "supported", "closing_message": f"Take care, from {role}."},
        )

    _check(clients, OWN_CASE, call)
    assigned_case.refresh_from_db()
    assert assigned_case.status == Case.Status.CLOSED
    assert assigned_case.outcome == "supported"
    closing = assigned_case.messages.get(is_closing=True)
    assert closing.body == "Take care, from supporter."


def test_an_offer_cannot_be_worked_before_it_is_accepted(clients, offered_case):
    client = clients["supporter"]
    base = f"/api/v1/cases/{offered_case.pk}"
    assert client.post(f"{base}/status/", {"status": "active"}).status_code == 403
    assert client.post(f"{base}/handover/").status_code == 403
    assert client.post(f"{base}/refer/", {"kind": "eap"}).status_code == 403
    assert client.post(f"{base}/accept/").status_code == 200
    assert client.post(f"{base}/accept/").status_code == 403  # already accepted
    assert client.post(f"{base}/decline/", {"reason": "other"}).status_code == 403


def test_closing_with_an_unanswered_message_needs_a_closing_message(clients, assigned_case):
    response = clients["supporter"].post(
        f"/api/v1/cases/{assigned_case.pk}/close/", {"outcome": "supported"}
    )
    assert response.status_code == 400
    assert "closing_message" in response.json()["error"]["fields"]
    assigned_case.refresh_from_db()
    assert assigned_case.is_open


# ---------------------------------------------------------------- coordinator and admin routes


def test_assigning_is_for_the_programs_coordinator(clients, program, queued_case, other_supporter):
    entry = profile_of(other_supporter, program)

    def call(client, role):
        return client.post(f"/api/v1/cases/{queued_case.pk}/assign/", {"supporter": entry.pk})

    _check(clients, ASSIGN_QUEUED, call)
    queued_case.refresh_from_db()
    assert queued_case.status == Case.Status.OFFERED
    assert queued_case.assigned_to == entry


def test_a_supporter_may_read_their_case_but_not_reassign_it(
    clients, program, assigned_case, other_supporter
):
    entry = profile_of(other_supporter, program)
    response = clients["supporter"].post(
        f"/api/v1/cases/{assigned_case.pk}/assign/", {"supporter": entry.pk}
    )
    assert response.status_code == 403


def test_programs_lists_only_the_programs_i_belong_to(clients, program, other_program):
    _check(clients, STAFF_ONLY, lambda c, r: c.get("/api/v1/programs/"))
    assert clients["outsider"].get("/api/v1/programs/").json() == []
    mine = clients["coordinator"].get("/api/v1/programs/").json()
    assert [(p["slug"], p["roles"]) for p in mine] == [(program.slug, [Role.COORDINATOR])]
    theirs = clients["other_program_admin"].get("/api/v1/programs/").json()
    assert [p["slug"] for p in theirs] == [other_program.slug]


def test_roster_is_for_admins_and_coordinators_of_the_program(clients, program, other_program):
    _check(clients, ROSTER, lambda c, r: c.get(f"/api/v1/programs/{program.slug}/roster/"))
    emails = {
        e["email"] for e in clients["admin"].get(f"/api/v1/programs/{program.slug}/roster/").json()
    }
    assert emails == {"supporter@example.org", "other-supporter@example.org"}
    assert set(
        SupporterProfile.objects.filter(program=other_program).values_list("user__email", flat=True)
    ).isdisjoint(emails)


def test_case_loads_on_the_roster_are_for_coordinators_only(clients, program, assigned_case):
    url = f"/api/v1/programs/{program.slug}/roster/"
    coordinator_view = {e["email"]: e for e in clients["coordinator"].get(url).json()}
    admin_view = {e["email"]: e for e in clients["admin"].get(url).json()}
    assert coordinator_view["supporter@example.org"]["active_cases"] == 1
    assert admin_view["supporter@example.org"]["active_cases"] is None


def test_adding_to_the_roster_is_for_admins_and_coordinators(clients, program):
    def call(client, role):
        return client.post(
            f"/api/v1/programs/{program.slug}/roster/", {"email": f"new-{role}@example.org"}
        )

    _check(clients, ROSTER, call, ok_status=201)
    added = set(
        SupporterProfile.objects.filter(
            program=program, user__email__startswith="new-"
        ).values_list("user__email", flat=True)
    )
    assert added == {"new-admin@example.org", "new-coordinator@example.org"}
    again = clients["admin"].post(
        f"/api/v1/programs/{program.slug}/roster/", {"email": "new-admin@example.org"}
    )
    assert again.status_code == 200


def test_roster_entry_read_and_status_change(clients, program, supporter):
    entry = profile_of(supporter, program)
    url = f"/api/v1/programs/{program.slug}/roster/{entry.pk}/"
    _check(clients, ROSTER, lambda c, r: c.get(url))
    statuses = iter(["paused", "active"])

    def call(client, role):
        status = next(statuses) if ROSTER[role] == 200 else "retired"
        return client.patch(url, {"status": status, "reason": "leave"})

    _check(clients, ROSTER, call)
    entry.refresh_from_db()
    assert entry.status == SupporterProfile.Status.ACTIVE
    assert entry.status_changes.count() == 2


def test_roster_status_change_by_id_in_the_body(clients, program, supporter):
    entry = profile_of(supporter, program)
    url = f"/api/v1/programs/{program.slug}/roster/"
    statuses = iter(["paused", "active"])

    def call(client, role):
        status = next(statuses) if ROSTER[role] == 200 else "retired"
        return client.patch(url, {"id": entry.pk, "status": status})

    _check(clients, ROSTER, call)
    entry.refresh_from_db()
    assert entry.status == SupporterProfile.Status.ACTIVE


def test_a_roster_entry_of_another_program_is_not_found(clients, program, other_program):
    stranger = make_active_supporter(other_program, email="stranger@example.org")
    url = f"/api/v1/programs/{program.slug}/roster/{stranger.pk}/"
    assert clients["coordinator"].get(url).status_code == 404
    response = clients["coordinator"].patch(
        f"/api/v1/programs/{program.slug}/roster/", {"id": stranger.pk, "status": "retired"}
    )
    assert response.status_code == 404


def test_queue_is_for_the_programs_coordinators(clients, program, queued_case, assigned_case):
    _check(clients, QUEUE, lambda c, r: c.get(f"/api/v1/programs/{program.slug}/queue/"))
    queue = clients["coordinator"].get(f"/api/v1/programs/{program.slug}/queue/").json()
    assert [(q["id"], q["message"]) for q in queue] == [(str(queued_case.pk), QUEUED_TEXT)]


def test_reports_are_for_the_programs_admins(clients, program):
    _check(clients, REPORTS, lambda c, r: c.get(f"/api/v1/programs/{program.slug}/reports/"))


def test_the_audit_trail_is_for_the_programs_admins(clients, program):
    _check(clients, REPORTS, lambda c, r: c.get(f"/api/v1/programs/{program.slug}/audit/"))


def test_tokens_are_for_people_with_a_role_in_a_program(clients, cast):
    expected = {**STAFF_ONLY, "outsider": 403}
    _check(
        clients,
        expected,
        lambda c, r: c.post("/api/v1/auth/tokens/", {"name": "script"}),
        ok_status=201,
    )
    _check(clients, STAFF_ONLY, lambda c, r: c.get("/api/v1/auth/tokens/"))


# ---------------------------------------------------------------- HR admins and the audit log


def test_an_hr_admin_gets_no_case_content_from_any_route(
    clients, program, assigned_case, queued_case, other_supporter
):
    """Every route, as the program's admin: no message, alias or case id comes back."""
    admin = clients["admin"]
    slug = program.slug
    entry = profile_of(other_supporter, program)
    calls = [
        admin.get("/api/v1/caseload/"),
        admin.get("/api/v1/programs/"),
        admin.get(f"/api/v1/programs/{slug}/roster/"),
        admin.get(f"/api/v1/programs/{slug}/roster/{entry.pk}/"),
        admin.get(f"/api/v1/programs/{slug}/queue/"),
        admin.get(f"/api/v1/programs/{slug}/reports/"),
        admin.get(f"/api/v1/programs/{slug}/resources/"),
        admin.get(f"/api/v1/programs/{slug}/intake-form/"),
        admin.get(f"/api/cms/pages/?program={slug}"),
    ]
    for case in (assigned_case, queued_case):
        calls += [
            admin.get(f"/api/v1/cases/{case.pk}/"),
            admin.patch(f"/api/v1/cases/{case.pk}/", {"status": "closed", "outcome": "other"}),
            admin.post(f"/api/v1/cases/{case.pk}/messages/", {"body": "hello"}),
            admin.post(f"/api/v1/cases/{case.pk}/notes/", {"contact_type": "phone"}),
            admin.post(f"/api/v1/cases/{case.pk}/assign/", {"supporter": entry.pk}),
        ]
    for response in calls:
        text = response.content.decode()
        for secret in (SECRET_TEXT, QUEUED_TEXT, "Sam", str(assigned_case.pk), str(queued_case.pk)):
            assert secret not in text
    assert not CaseAccess.objects.filter(actor__email="hr-admin@example.org").exists()
    assigned_case.refresh_from_db()
    assert assigned_case.status == Case.Status.NEW
    assert assigned_case.messages.count() == 1


def test_every_case_read_and_write_is_audited_as_via_api(
    clients, program, assigned_case, queued_case
):
    supporter, coordinator = clients["supporter"], clients["coordinator"]
    supporter.get("/api/v1/caseload/")
    supporter.get(f"/api/v1/cases/{assigned_case.pk}/")
    supporter.patch(f"/api/v1/cases/{assigned_case.pk}/", {"status": "contacted"})
    supporter.post(f"/api/v1/cases/{assigned_case.pk}/messages/", {"body": "hello"})
    supporter.post(f"/api/v1/cases/{assigned_case.pk}/notes/", {"contact_type": "phone"})
    supporter.post(f"/api/v1/cases/{assigned_case.pk}/status/", {"status": "active"})
    supporter.post(f"/api/v1/cases/{assigned_case.pk}/refer/", {"kind": "eap"})
    supporter.post(f"/api/v1/cases/{assigned_case.pk}/handover/")
    supporter.post(
        f"/api/v1/cases/{assigned_case.pk}/close/",
        {"outcome": "supported", "closing_message": "Take care."},
    )
    coordinator.get(f"/api/v1/programs/{program.slug}/queue/")
    actions = list(
        CaseAccess.objects.filter(actor__isnull=False)
        .order_by("at", "pk")
        .values_list("case_id", "action", "via")
    )
    a, q = assigned_case.pk, queued_case.pk
    assert actions[-10:] == [
        (a, "view", "api"),
        (a, "view", "api"),
        (a, "update", "api"),
        (a, "reply", "api"),
        (a, "note", "api"),
        (a, "update", "api"),
        (a, "refer", "api"),
        (a, "update", "api"),
        (a, "update", "api"),
        (q, "view", "api"),
    ]


def test_revoked_and_inactive_accounts_lose_access_at_once(clients, supporter, assigned_case):
    from programs.services import tokens

    client = clients["supporter"]
    assert client.get("/api/v1/caseload/").status_code == 200
    tokens.tokens_revoke_all(user=supporter)
    assert client.get("/api/v1/caseload/").status_code == 401
    fresh = client_for(supporter)
    supporter.is_active = False
    supporter.save()
    assert fresh.get("/api/v1/caseload/").status_code == 401


# ---------------------------------------------------------------- sign-in routes


@pytest.mark.parametrize("url", ["/admin/login/", "/_util/login/", "/api-auth/login/"])
def test_every_other_login_route_redirects_to_the_one_door_and_signs_nobody_in(
    client, supporter, url
):
    response = client.post(url, {"username": supporter.email, "password": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_failed_passwords_count_for_the_account_across_doors(client, supporter):
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": supporter.email, "password": "guess"})
    client.post("/admin/login/", {"username": supporter.email, "password": "guess"})
    refused = client.post(
        "/accounts/login/", {"login": supporter.email, "password": "correct horse battery staple"}
    )
    assert refused.status_code == 429


@pytest.mark.real_mfa
def test_a_session_without_a_second_factor_gets_no_api_route(client, supporter, assigned_case):
    client.force_login(supporter)
    for url in ["/api/v1/caseload/", f"/api/v1/cases/{assigned_case.pk}/", "/api/v1/programs/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert set(response.json()) == {"error"}
        assert SECRET_TEXT not in response.content.decode()


# Credentials: nobody obtains one for an account that holds a role in a program they do not
# administer, whatever their role; nobody changes their own email to take an invitation.


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_no_role_gets_a_credential_for_another_programs_waiting_account(
    role,
    cast,
    program,
    other_program,
    other_program_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from django.test import Client

    from programs.services import members

    with django_capture_on_commit_callbacks(execute=True):
        members.member_add(
            program=other_program,
            email="x@b.example",
            role=Role.COORDINATOR,
            actor=other_program_admin,
        )
    mailoutbox.clear()
    browser = Client()
    browser.force_login(cast[role])
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/admin/people/new/",
            {"program": program.pk, "email": "X@B.example", "role": Role.SUPPORTER},
        )
    assert response.status_code in (200, 302, 403, 404)
    page = response.content.decode()
    assert "/accounts/invitation/" not in page and "/accounts/reset/" not in page
    assert not any("/accounts/invitation/" in mail.body for mail in mailoutbox)
    waiting = cast["admin"].__class__.objects.get(email="x@b.example")
    assert not waiting.has_usable_password()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_no_role_can_change_their_own_email_in_the_admin(role, cast):
    from django.test import Client

    user = cast[role]
    before = user.email
    browser = Client()
    browser.force_login(user)
    browser.post(
        "/admin/account/",
        {
            "name_email-email": "x@b.example",
            "name_email-first_name": "X",
            "name_email-last_name": "Y",
        },
    )
    user.refresh_from_db()
    assert user.email == before


# ---------------------------------------------------------------- issue 15: the safety plan


def test_the_plan_is_for_the_case_supporter_only_never_the_coordinator_or_hr(
    clients, assigned_case
):
    url = f"/api/v1/cases/{assigned_case.pk}/plan/"
    _check(clients, OWN_CASE, lambda c, r: c.get(url))
    notes = iter(["first", "second"])

    def propose(client, role):
        return client.post(url, {"plan": {"coping": next(notes) if role == "supporter" else role}})

    _check(clients, OWN_CASE, propose, ok_status=201)


def test_the_requester_plan_opens_with_the_code_alone_whoever_calls(
    clients, queued_case, generous_limits
):
    code = queued_case.receipt_code
    _check(clients, PUBLIC, lambda c, r: c.get("/api/v1/requests/plan/", HTTP_X_RECEIPT_CODE=code))
    _check(
        clients,
        PUBLIC,
        lambda c, r: c.put("/api/v1/requests/plan/", {"receipt_code": code, "plan": {"goals": r}}),
    )
    _check(clients, PUBLIC, lambda c, r: c.post("/api/v1/requests/copy/", {"receipt_code": code}))


def test_the_report_as_csv_is_for_the_programs_admins(clients, program):
    _check(
        clients,
        REPORTS,
        lambda c, r: c.get(f"/api/v1/programs/{program.slug}/reports/", {"format": "csv"}),
    )
    _check(
        clients,
        REPORTS,
        lambda c, r: c.get(f"/api/v1/programs/{program.slug}/reports/", HTTP_ACCEPT="text/csv"),
    )
