"""The intake keeps each program in a per-worker memo; a change to it must still count."""

import time

from django.core.cache import caches

from cms import pagecache
from programs import selectors
from programs.models import Case, HelpResource, Program
from programs.services import launch
from tests.api.conftest import client_for


def intake(program, **data):
    return client_for(None).post(
        f"/api/v1/programs/{program.slug}/requests/",
        {"message": "A rough week after the call-out.", **data},
    )


def test_a_program_closed_through_its_settings_refuses_the_next_request(program, admin):
    assert intake(program).status_code == 201  # the program is in this worker's memo now
    launch.program_close(program=program, actor=admin)
    refused = intake(program, message="Please keep nothing.")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_open"
    assert Case.objects.count() == 1


def test_a_crisis_line_added_after_a_request_is_in_the_next_crisis_answer(program):
    assert intake(program).status_code == 201
    HelpResource.objects.create(program=program, name="Harbour night line", phone="555 0199")
    answer = intake(program, in_danger=True).json()
    assert "Harbour night line" in [line["name"] for line in answer["crisis_lines"]]


def test_a_change_another_worker_made_is_seen_once_the_kept_stamps_are_read_again(
    program, monkeypatch
):
    assert intake(program).status_code == 201
    # Another worker closes the program: its row changes and it stamps the program in the
    # shared cache; this worker's signal handlers never run.
    Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    key = pagecache._STAMP_KEY.format(pagecache.program_scope(program.pk))
    caches["default"].set(key, time.time_ns(), timeout=None)
    monkeypatch.setattr(pagecache, "STAMPS_KEPT_SECONDS", 0)  # the second has passed
    assert intake(program).status_code == 409
    assert Case.objects.count() == 1


def test_each_caller_gets_its_own_copy_of_a_remembered_program(program):
    first = selectors.program_get_public(slug=program.slug, memo=True)
    second = selectors.program_get_public(slug=program.slug, memo=True)
    first.state = Program.State.CLOSED
    first.name = "Changed by a careless caller"
    first.help_resource_list().clear()
    third = selectors.program_get_public(slug=program.slug, memo=True)
    for other in (second, third):
        assert other is not first
        assert other.accepts_requests
        assert other.name == program.name
        assert other.help_resource_list()
