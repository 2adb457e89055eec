"""Intake answers at once; routing, auto-assignment and the nudges run as one background task."""

import pytest
from django.core import mail
from django.test import override_settings
from django_tasks import task_backends
from rest_framework.test import APIClient

from programs.models import Case, CaseEvent, Program
from programs.services.cases import route_case
from programs.tasks import send_staff_email
from tests.factories import make_active_supporter

pytestmark = pytest.mark.django_db

QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
MESSAGE = "I am not safe tonight and I need someone to talk to."


@override_settings(TASKS=QUEUED_ONLY)
def test_intake_is_stored_and_answered_before_routing_which_the_task_then_does_once(
    program, coordinator, django_capture_on_commit_callbacks
):
    Program.objects.filter(pk=program.pk).update(auto_assign=True)
    supporter = make_active_supporter(program, email="free@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            f"/api/v1/programs/{program.slug}/requests/",
            {"message": MESSAGE, "in_danger": True},
            format="json",
        )

    # The requester's answer: receipt, crisis flag and crisis lines, as before.
    assert response.status_code == 201
    body = response.json()
    assert body["receipt_code"] and body["status"] == "queued" and body["crisis"] is True
    assert body["crisis_lines"]
    # Stored, but nobody was offered it and nobody was emailed inside the request.
    request = Case.objects.get(program=program)
    assert request.status == Case.Status.QUEUED and request.assigned_to is None
    assert not request.events.filter(kind=CaseEvent.Kind.OFFERED).exists()
    assert mail.outbox == []
    # Exactly one task, carrying the request's id and nothing it said.
    results = task_backends["default"].results
    assert len(results) == 1
    assert results[0].task.func is route_case.func
    assert list(results[0].args) == [] and results[0].kwargs == {"case_id": str(request.pk)}

    # The worker runs it (twice, as a retry would): one offer, one email each.
    task = results[0]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            route_case.call(**task.kwargs)
    request.refresh_from_db()
    assert request.status == Case.Status.OFFERED
    assert request.assigned_to == supporter
    assert request.events.filter(kind=CaseEvent.Kind.OFFERED).count() == 1
    for email in [r for r in results if r is not task]:
        assert email.task.func is send_staff_email.func
        send_staff_email.call(*email.args, **email.kwargs)
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.org", "free@example.org"]


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DATABASE_QUEUE)
def test_with_the_database_queue_a_case_and_its_routing_task_are_kept_or_refused_together(program):
    """One transaction: the case, its message, its routing task and the rate-limit counts.
    A refused intake (limit reached) leaves no case, no message and no task behind."""
    from django_tasks_db.models import DBTaskResult

    Program.objects.filter(pk=program.pk).update(intake_limit_per_hour=1)
    client = APIClient()
    url = f"/api/v1/programs/{program.slug}/requests/"
    first = client.post(url, {"message": "First, would like to talk."}, format="json")
    assert first.status_code == 201
    case = Case.objects.get(program=program)
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("route_case") and task.args_kwargs["kwargs"] == {
        "case_id": str(case.pk)
    }

    refused = client.post(url, {"message": "Second, straight after."}, format="json")
    assert refused.status_code == 429
    assert Case.objects.filter(program=program).count() == 1
    assert case.messages.count() == 1
    assert DBTaskResult.objects.count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_routing_task_the_intake_writes_is_the_row_the_queue_itself_would_write(program):
    """The intake writes its task's row in its own statement (programs.tasks.queued_row);
    the queue's own enqueue must give the same row, or a library upgrade changed it."""
    from django_tasks_db.models import DBTaskResult

    APIClient().post(
        f"/api/v1/programs/{program.slug}/requests/", {"message": "Hello."}, format="json"
    )
    case = Case.objects.get(program=program)
    ours = DBTaskResult.objects.get()
    theirs = route_case.enqueue(case_id=str(case.pk)).db_result
    theirs.refresh_from_db()
    compared = [f.name for f in DBTaskResult._meta.fields if f.name not in ("id", "enqueued_at")]
    assert {name: getattr(ours, name) for name in compared} == {
        name: getattr(theirs, name) for name in compared
    }
    assert ours.task_result.task.func is route_case.func


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_queue_worker_routes_a_request_the_intake_stored(program, coordinator, monkeypatch):
    """What the intake queued, the `db_worker` command runs: the request is offered."""
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    # Between tasks the worker closes connections it finds inside a transaction; the test's
    # own transaction (rolled back at its end) must stay open.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    Program.objects.filter(pk=program.pk).update(auto_assign=True)
    supporter = make_active_supporter(program, email="free@example.org")
    response = APIClient().post(
        f"/api/v1/programs/{program.slug}/requests/", {"message": MESSAGE}, format="json"
    )
    assert response.status_code == 201
    request = Case.objects.get(program=program)
    assert request.status == Case.Status.QUEUED

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    request.refresh_from_db()
    assert request.status == Case.Status.OFFERED and request.assigned_to == supporter
