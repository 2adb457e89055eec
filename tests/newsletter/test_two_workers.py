"""Two send workers at once on PostgreSQL: each pending delivery is locked by one worker
(FOR UPDATE SKIP LOCKED) and marked sent in the transaction that hands it to the mail
backend, so nobody gets the issue twice and nobody is missed. SQLite has one writer at a
time and no SKIP LOCKED, so this runs on PostgreSQL only (DATABASE_URL=postgres://…)."""

import threading
import time
from collections import Counter

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection, connections

from newsletter import services
from newsletter.models import Delivery

from .helpers import issue_of, make_confirmed

SUBSCRIBERS = 300
LOCK = threading.Lock()
SENT_BY: dict[str, list[str]] = {}


class RecordingBackend(locmem.EmailBackend):
    """Locmem, noting which worker thread handed over each message; a little slow, like a
    real mail server, so the two workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.005)
        with LOCK:
            name = threading.current_thread().name
            for message in messages:
                SENT_BY.setdefault(name, []).extend(message.to)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_one_issue_give_everyone_exactly_one_copy(
    settings, monkeypatch, program, admin
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two concurrent writers and SKIP LOCKED")
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    SENT_BY.clear()
    emails = [f"reader-{n}@example.org" for n in range(SUBSCRIBERS)]
    make_confirmed(program, emails)
    issue = issue_of(program)
    # Only the delivery rows: the two workers below are the ones that send.
    monkeypatch.setattr(services, "_enqueue_batches", lambda issue_id, count: None)
    assert services.issue_send(issue=issue, actor=admin) == SUBSCRIBERS

    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            services.deliver_batch.call(issue_id=issue.pk, batch_size=SUBSCRIBERS)
        except Exception as exc:  # surfaced below, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counts = Counter(address for message in mail.outbox for address in message.to)
    assert set(counts) == set(emails)  # nobody missed
    assert set(counts.values()) == {1}  # nobody twice
    assert not Delivery.objects.filter(issue=issue).exclude(status=Delivery.Status.SENT).exists()
    # Both workers took part (the rows were shared out, not run one after the other).
    assert len(SENT_BY) == 2 and all(SENT_BY.values())
