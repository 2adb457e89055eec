"""The HR report over 100,000 requests, as a ratio against a plain COUNT(*) of the same rows.

Run through bench/run.py, which points Django at a scratch SQLite file first. The requests
spread over the report's twelve past months with mixed channels, urgencies, closures,
outcomes, referrals, requests with no eligible supporter, topics and first contacts (a
supporter's message for seven in ten), so every breakdown does work. The report is timed
without its cache, so the figure is the cost of the scans themselves, and then with its
past months cached and ended quarters stored (as every report after a month's first is):
no scan of the requests nor of first contacts.
"""

import random
import statistics
import time
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

REQUESTS = 100_000
ROUNDS = 7
SEED = 20261202


def _build():
    from programs.models import Case, Channel, Message, Referral, Urgency
    from programs.services import reports, setup

    rng = random.Random(SEED)
    result = setup.program_bootstrap(
        template="first-responder",
        name="Bench Reports",
        slug="bench-reports",
        admin_email="admin@bench.example",
    )
    program = result.program
    today = timezone.localdate()
    period_end = today.replace(day=1)
    period_start = reports._add_months(period_end, -reports.REPORT_MONTHS)
    start = timezone.make_aware(datetime(period_start.year, period_start.month, 1))
    span = (
        timezone.make_aware(datetime(period_end.year, period_end.month, 1)) - start
    ).total_seconds()
    channels, urgencies = list(Channel.values), list(Urgency.values)
    rows = []
    for n in range(REQUESTS):
        created = start + timedelta(seconds=rng.random() * span)
        closed = created + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.7 else None
        rows.append(
            Case(
                program=program,
                receipt_hash=f"bench-report-{n}",
                status="closed" if closed else "queued",
                channel=rng.choice(channels),
                urgency=rng.choice(urgencies),
                created_at=created,
                requester_seen_at=created,
                closed_at=closed,
                outcome=rng.choice(Case.Outcome.values) if closed else "",
                no_match=rng.random() < 0.05,
            )
        )
    Case.objects.bulk_create(rows, batch_size=5000)
    contacted = [r for r in rows if rng.random() < 0.7]
    Message.objects.bulk_create(
        (
            Message(
                case=r,
                sender="supporter",
                body="-",
                created_at=r.created_at + timedelta(hours=rng.choice([1, 3, 7, 20, 50, 200])),
            )
            for r in contacted
        ),
        batch_size=5000,
    )
    Referral.objects.bulk_create(
        (Referral(case=r, kind="eap", created_at=r.created_at) for r in rows[::10]),
        batch_size=5000,
    )
    topics = list(program.topics.all())
    through = Case.topics.through
    through.objects.bulk_create(
        (
            through(case_id=r.pk, topic_id=t.pk)
            for r in rows
            for t in rng.sample(topics, rng.randint(0, 2))
        ),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database has them
    return program, result, start, start + timedelta(seconds=span)


def _once_ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    from programs.models import Case, ReportQuarter
    from programs.services import reports

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    program, result, start, end = _build()
    admin = result.admin
    build_s = time.perf_counter() - started

    def report():
        cache.clear()  # time the scan, not a cache hit nor stored quarters
        ReportQuarter.objects.filter(program=program).delete()
        return reports.program_report(program=program, actor=admin)

    def warm():
        # Past months cached, ended quarters stored, first contacts cached for this period
        # (every report after a month's first): no scan of the requests.
        return reports.program_report(program=program, actor=admin)

    def plain():
        return Case.objects.filter(
            program=program, created_at__gte=start, created_at__lt=end
        ).count()

    report(), plain()  # warm up SQLite's page cache once, then interleave
    rounds = [(_once_ms(report), _once_ms(plain)) for _ in range(ROUNDS)]
    report_ms = statistics.median(r[0] for r in rounds)
    plain_ms = statistics.median(r[1] for r in rounds)
    report()  # fill the cache once, then time the warm report against COUNT(*) again
    warm_rounds = [(_once_ms(warm), _once_ms(plain)) for _ in range(ROUNDS)]
    warm_ms = statistics.median(r[0] for r in warm_rounds)
    warm_plain_ms = statistics.median(r[1] for r in warm_rounds)
    shown = report()
    print(f"Scratch {connection.vendor} database, built in {build_s:.1f}s")
    print(f"Report period: {plain()} requests, total shown {shown.total.count}")
    print(f"Medians over {ROUNDS} interleaved rounds:")
    print(f"reports.program_report (uncached)        {report_ms:8.1f} ms")
    print(f"plain .filter(program, period).count()   {plain_ms:8.1f} ms")
    print(f"RATIO report / COUNT(*)                  {report_ms / plain_ms:8.1f}x")
    print(f"reports.program_report (months cached)   {warm_ms:8.1f} ms")
    print(f"plain .filter(program, period).count()   {warm_plain_ms:8.1f} ms")
    print(f"RATIO cached report / COUNT(*)           {warm_ms / warm_plain_ms:8.1f}x")
