"""One error shape, the right status for each kind of mistake, and never a 500."""

import pytest
from django.test import Client

from programs.models import Case
from programs.services import cases
from tests.api.conftest import client_for, profile_of

pytestmark = pytest.mark.django_db


def error_of(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    assert body["error"]["message"]
    return body["error"]


def test_missing_fields_are_named_in_a_400(program, coordinator):
    client = client_for(None)
    error = error_of(client.post(f"/api/v1/programs/{program.slug}/requests/", {}), 400)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["message"]


def test_service_rules_come_back_as_field_errors(program):
    client = client_for(None)
    response = client.post(
        f"/api/v1/programs/{program.slug}/requests/",
        {"message": "Call me", "channel": "phone"},
    )
    error = error_of(response, 400)
    assert "contact_detail" in error["fields"] or "channel" in error["fields"]
    assert Case.objects.count() == 0


def test_a_closed_program_answers_409_with_its_crisis_lines(program):
    program.state = program.State.CLOSED
    program.save()
    response = client_for(None).post(
        f"/api/v1/programs/{program.slug}/requests/", {"message": "Anyone there?"}
    )
    error = error_of(response, 409)
    assert error["code"] == "not_open"
    assert "not taking new requests" in error["message"]
    assert error["crisis_lines"] and all(line["phone"] for line in error["crisis_lines"])
    assert Case.objects.count() == 0


def test_an_unknown_program_is_a_404(db):
    response = client_for(None).post("/api/v1/programs/nowhere/requests/", {"message": "hi"})
    error_of(response, 404)


def test_no_credentials_is_401_and_a_bad_token_too(program):
    error_of(client_for(None).get("/api/v1/caseload/"), 401)
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    error_of(client.get("/api/v1/caseload/"), 401)


def test_a_member_without_the_permission_gets_403(program, supporter):
    error_of(client_for(supporter).get(f"/api/v1/programs/{program.slug}/queue/"), 403)


def test_unknown_addresses_and_cases_are_json_404s(supporter):
    client = client_for(supporter)
    assert error_of(client.get("/api/v1/nothing-here/"), 404)["code"] == "not_found"
    error_of(client.get("/api/v1/cases/not-a-uuid/"), 404)
    error_of(client.get("/api/v1/cases/00000000-0000-0000-0000-000000000000/"), 404)


def test_a_method_a_route_does_not_have_is_405(supporter, assigned_case):
    client = client_for(supporter)
    error_of(client.put(f"/api/v1/cases/{assigned_case.pk}/", {"status": "active"}), 405)
    error_of(client.delete("/api/v1/caseload/"), 405)
    error_of(client_for(None).get("/api/v1/requests/lookup/"), 405)


def test_replying_to_a_withdrawn_request_is_409(coordinator, assigned_case):
    client = client_for(None)
    client.post("/api/v1/requests/withdraw/", {"receipt_code": assigned_case.receipt_code})
    response = client_for(coordinator).post(
        f"/api/v1/cases/{assigned_case.pk}/messages/", {"body": "Are you still there?"}
    )
    assert error_of(response, 409)["code"] == "conflict"


def test_assigning_a_closed_case_is_409(
    program, coordinator, supporter, other_supporter, assigned_case
):
    cases.case_close(
        case=assigned_case, actor=supporter, outcome="supported", closing_message="Bye."
    )
    response = client_for(coordinator).post(
        f"/api/v1/cases/{assigned_case.pk}/assign/",
        {"supporter": profile_of(other_supporter, program).pk},
    )
    error_of(response, 409)
    assigned_case.refresh_from_db()
    assert assigned_case.status == Case.Status.CLOSED


def test_assigning_to_someone_off_the_roster_is_a_field_error(coordinator, queued_case):
    response = client_for(coordinator).post(
        f"/api/v1/cases/{queued_case.pk}/assign/", {"supporter": 999999}
    )
    assert "supporter" in error_of(response, 400)["fields"]


def test_closing_without_an_outcome_is_a_field_error(supporter, assigned_case):
    response = client_for(supporter).patch(
        f"/api/v1/cases/{assigned_case.pk}/", {"status": "closed"}
    )
    assert "outcome" in error_of(response, 400)["fields"]


def test_an_over_long_body_is_413_and_nothing_is_saved(program, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for(None).post(
        f"/api/v1/programs/{program.slug}/requests/", {"message": "x" * 20_000}
    )
    assert error_of(response, 413)["code"] == "too_large"
    assert Case.objects.count() == 0


def test_an_over_long_message_within_the_body_limit_is_a_field_error(program):
    response = client_for(None).post(
        f"/api/v1/programs/{program.slug}/requests/", {"message": "x" * 6000}
    )
    assert "message" in error_of(response, 400)["fields"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2, 3]", "application/json", 400),
        ('"just a string"', "application/json", 400),
        ('{"message": null}', "application/json", 400),
        ('{"message": "hi", "topics": "trauma"}', "application/json", 400),
        ('{"message": "hi", "preferences": [1]}', "application/json", 400),
        ('{"message": "\\ud800"}', "application/json", 400),
        ('{"message": "nul \\u0000 byte"}', "application/json", 400),
        ("message=hi", "application/x-www-form-urlencoded", 415),
    ],
)
def test_bad_input_never_causes_a_server_error(program, body, content_type, status):
    response = Client().post(
        f"/api/v1/programs/{program.slug}/requests/", body, content_type=content_type
    )
    error_of(response, status)
    assert Case.objects.count() == 0


def test_a_session_without_its_csrf_token_is_refused(supporter, assigned_case):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supporter)
    assert browser.get(f"/api/v1/cases/{assigned_case.pk}/").status_code == 200
    response = browser.post(
        f"/api/v1/cases/{assigned_case.pk}/messages/",
        {"body": "hello"},
        content_type="application/json",
    )
    error_of(response, 403)
    assert assigned_case.messages.count() == 1


def test_reports_refuse_a_narrower_bucket_and_any_filter(program, admin):
    client = client_for(admin)
    url = f"/api/v1/programs/{program.slug}/reports/"
    assert client.get(url + "?bucket=month").status_code == 200
    assert "bucket" in error_of(client.get(url + "?bucket=week"), 400)["fields"]
    assert "bucket" in error_of(client.get(url + "?bucket=day"), 400)["fields"]
    assert "topic" in error_of(client.get(url + "?topic=trauma"), 400)["fields"]


def test_reports_show_suppressed_counts_as_null(program, admin):
    body = client_for(admin).get(f"/api/v1/programs/{program.slug}/reports/").json()
    assert body["threshold"] == program.report_threshold
    assert body["bucket"] == "month"
    assert len(body["per_month"]) == 12
    assert body["total"] == {
        "key": "total",
        "label": "All requests",
        "count": None,
        "suppressed": True,
    }


def test_the_report_as_csv_is_the_pages_file_and_is_audited(program, admin):
    import csv
    import io

    from programs.models import AuditEntry

    client = client_for(admin)
    url = f"/api/v1/programs/{program.slug}/reports/"
    by_query = client.get(url, {"format": "csv"})
    by_accept = client.get(url, HTTP_ACCEPT="text/csv")
    for response in (by_query, by_accept):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert ["period", "section", "key", "label", "count", "hidden"] in rows
        assert any(row[1:3] == ["first_contact_median_hours", row[0]] for row in rows if row)
    entries = AuditEntry.objects.filter(program=program, action=AuditEntry.Action.EXPORT)
    assert [e.data for e in entries] == [{"format": "csv"}, {"format": "csv"}]
    # The JSON report is not an export, and has the new measures.
    body = client.get(url).json()
    assert entries.count() == 2
    for key in ("quarters", "first_contact", "supporters", "training"):
        assert key in body
    for key in ("outcomes", "referrals", "matching", "by_channel", "by_topic"):
        assert key in body["quarters"][-1]
    assert {"key", "shown", "median_hours", "p90_hours"} == set(body["first_contact"][0])
