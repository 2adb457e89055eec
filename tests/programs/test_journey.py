"""The whole journey through the web pages, as each person does it, with everyone else refused:
request -> matched -> accepted -> conversation -> note -> referral -> closed."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs.models import Case, CaseAccess, Topic
from tests.programs.test_intake_flow import look_up, new_request, reply, text

pytestmark = pytest.mark.django_db

Status = Case.Status
WORDS = "Since the pile-up on the motorway I keep replaying it."
OUTSIDERS = [
    "admin",
    "other_supporter",
    "other_program_admin",
    "other_program_coordinator",
    "outsider",
]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _refused_everywhere(request, case, slug):
    """Everyone but the coordinator and the assigned supporter gets a 404 (or the login page)."""
    urls = [
        reverse("programs:caseload_case", args=[case.pk]),
        reverse("programs:coordinate_request", args=[slug, case.pk]),
    ]
    for who in OUTSIDERS:
        client = _client(request.getfixturevalue(who))
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        assert WORDS not in client.get(reverse("programs:coordinate", args=[slug])).content.decode()
    anonymous = _client()
    for url in urls:
        assert anonymous.get(url)["Location"].startswith("/accounts/login/")


def test_the_whole_journey_through_the_pages(
    request, program, coordinator, supporter, django_capture_on_commit_callbacks
):
    requester = _client()
    coordinating = _client(coordinator)
    supporting = _client(supporter)
    slug = program.slug

    # 1. An anonymous request; coordinators are told, without its content.
    with django_capture_on_commit_callbacks(execute=True):
        code, case = new_request(
            requester,
            program,
            message=WORDS,
            alias="Jo",
            topics=[Topic.objects.get(slug="trauma").pk],
        )
    assert case.status == Status.QUEUED
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert WORDS not in mail.outbox[0].body
    _refused_everywhere(request, case, slug)

    # 2. Matched: the coordinator reads it, sees the best match and why, and offers it.
    queue = coordinating.get(reverse("programs:coordinate", args=[slug])).content.decode()
    assert WORDS in queue
    assert "<strong>supporter</strong>: shares lived experience of 1 topic" in queue
    profile = supporter.supporter_profiles.get(program=program)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinating.post(
            reverse("programs:coordinate_assign", args=[slug, case.pk]),
            {"supporter": profile.pk, "return_to": "queue"},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["supporter@example.org"]

    # 3. Accepted by the supporter, from their caseload.
    caseload = supporting.get("/caseload/").content.decode()
    assert "Offered to you" in caseload and str(case.pk)[:8] in caseload
    supporting.post(reverse("programs:caseload_accept", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == Status.NEW
    _refused_everywhere(request, case, slug)

    # 4. The conversation: supporter writes, requester reads and answers, supporter is told.
    page = supporting.get(reverse("programs:caseload_case", args=[case.pk])).content.decode()
    assert WORDS in page and "Jo" in page
    supporting.post(
        reverse("programs:caseload_reply", args=[case.pk]),
        {"reply-body": "Thank you for writing. I'm Sam, I've been there too."},
    )
    status_page = text(look_up(requester, program, code))
    assert "I'm Sam, I've been there too." in status_page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(requester, program, code, "Could we talk on Thursday?")
    assert answer.status_code == 200
    assert [m.to for m in mail.outbox] == [["supporter@example.org"]]
    caseload = supporting.get("/caseload/").content.decode()
    waiting = caseload[caseload.index("Needs your reply first") :].split("</section>")[0]
    assert str(case.pk)[:8] in waiting

    # 5. A minimal note.
    supporting.post(
        reverse("programs:caseload_note", args=[case.pk]),
        {
            "note-contact_date": timezone.localdate().isoformat(),
            "note-contact_type": "undisclosed",
            "note-referral_offered": "on",
        },
    )
    assert case.notes.get().contact_type == "undisclosed"

    # 6. A referral to professional help: only its kind is kept.
    supporting.post(reverse("programs:caseload_refer", args=[case.pk]), {"refer-kind": "eap"})
    case.refresh_from_db()
    assert case.status == Status.REFERRED
    assert list(case.referrals.values_list("kind", flat=True)) == ["eap"]

    # The coordinator may follow the case; nobody else can.
    record = coordinating.get(reverse("programs:coordinate_request", args=[slug, case.pk]))
    assert "Could we talk on Thursday?" in record.content.decode()
    _refused_everywhere(request, case, slug)

    # 7. Closed with an outcome; the requester sees it honestly.
    supporting.post(
        reverse("programs:caseload_close", args=[case.pk]),
        {"close-outcome": "referred", "close-closing_message": "Take care of yourself."},
    )
    case.refresh_from_db()
    assert (case.status, case.outcome) == (Status.CLOSED, "referred")
    assert "This conversation has been closed" in text(look_up(requester, program, code))
    assert str(case.pk)[:8] in supporting.get("/caseload/").content.decode()

    # Every look at the case was logged, by whom, and never what.
    views = CaseAccess.objects.filter(case_id=case.pk, action="view")
    assert set(views.values_list("actor__email", flat=True)) == {
        "coordinator@example.org",
        "supporter@example.org",
    }
    sent = "\n".join(m.body + m.subject for m in mail.outbox)
    assert not re.search("motorway|Thursday|Jo\\b", sent)
