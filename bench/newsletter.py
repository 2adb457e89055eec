"""Sending a newsletter issue to 10,000 subscribers, as a ratio against the same number of
plain `send_mail` calls in the same run.

Run through bench/run.py (a scratch SQLite file; `BENCH_DATABASE_URL` for PostgreSQL). The
test settings it uses run background tasks at once and keep mail in memory, so the issue's
figure covers everything a real send does: a delivery row per subscriber, the batch tasks,
the issue rendered once per batch with its CSS inlined, each address decrypted, one
message per subscriber with its own unsubscribe link and headers, and each delivery marked
in the transaction that hands its message over. The baseline renders a short template per
person and calls `send_mail` on the same in-memory backend. Rounds are interleaved.
"""

import os
import statistics
import time

from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone

SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", 10_000))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))


def _build():
    from cms.models import NewsletterIssuePage
    from newsletter.models import Subscriber
    from programs.models import Role
    from tests.factories import make_member, make_program

    program = make_program("bench-news", template="workplace")
    admin = make_member(program, Role.ADMIN, email="admin@bench-news.example")
    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                program=program,
                email=f"reader-{n}@bench-news.example",
                email_digest=f"bench-{n}",
                confirmed_at=now,
                unsubscribe_token=f"bench-unsubscribe-{n}",
                unsubscribe_digest=f"bench-unsubscribe-digest-{n}",
            )
            for n in range(SUBSCRIBERS)
        ),
        batch_size=1000,
    )
    issue = NewsletterIssuePage.objects.live().filter(path__startswith=program_path(program))
    return program, admin, issue.first()


def program_path(program) -> str:
    from cms.models import ProgramPage

    return ProgramPage.objects.get(program=program).path


def main() -> None:
    from newsletter.models import Delivery
    from newsletter.services import issue_send

    call_command("migrate", verbosity=0)
    program, admin, issue = _build()
    assert issue is not None, "the program has no newsletter issue"
    template = Template("Hello {{ name }},\n\nThis month at {{ program }}: {{ text }}\n")

    def product() -> float:
        Delivery.objects.filter(issue=issue).delete()
        mail.outbox = []
        start = time.perf_counter()
        with transaction.atomic():
            sent = issue_send(issue=issue, actor=admin)
        elapsed = time.perf_counter() - start
        assert sent == SUBSCRIBERS and len(mail.outbox) == SUBSCRIBERS, (sent, len(mail.outbox))
        return elapsed

    def baseline() -> float:
        mail.outbox = []
        start = time.perf_counter()
        for n in range(SUBSCRIBERS):
            body = template.render(
                Context({"name": f"reader {n}", "program": program.name, "text": "news"})
            )
            mail.send_mail("News", body, "news@bench.example", [f"reader-{n}@bench.example"])
        elapsed = time.perf_counter() - start
        assert len(mail.outbox) == SUBSCRIBERS
        return elapsed

    rounds = [(product(), baseline()) for _ in range(ROUNDS)]
    issue_s = statistics.median(r[0] for r in rounds)
    plain_s = statistics.median(r[1] for r in rounds)
    print(f"Newsletter issue to {SUBSCRIBERS:,} subscribers, median of {ROUNDS} rounds:")
    print(f"render and send the issue (delivery rows, batches) {issue_s:8.2f} s")
    print(f"plain render + send_mail, same number             {plain_s:8.2f} s")
    print(f"RATIO issue / plain send_mail                      {issue_s / plain_s:8.1f}x")
