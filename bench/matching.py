"""Matching over a 5,000-supporter roster, as a ratio against a plain indexed lookup.

Run through bench/run.py, which points Django at a scratch SQLite file first. The roster is
realistic rather than friendly: a mix of statuses, units, languages, channels, lived
experience, lapsed training and existing caseloads, so every rule in the query does work.
"""

import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, reset_queries
from django.utils import timezone

from programs.models import Case
from toolkit.database import refresh_statistics

SUPPORTERS = 5_000
UNITS = 40
RUNS = 25
SEED = 20260315


def _build():
    from programs.models import (
        Case,
        Language,
        SupporterProfile,
        Topic,
        TrainingCompletion,
        Unit,
    )
    from programs.services import setup

    rng = random.Random(SEED)
    program = setup.program_bootstrap(
        template="first-responder",
        name="Bench Fire",
        slug="bench-fire",
        admin_email="admin@bench.example",
    ).program
    units = Unit.objects.bulk_create(
        Unit(program=program, name=f"Station {n}", sort_order=n) for n in range(UNITS)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"peer{n}@bench.example", email=f"peer{n}@bench.example")
        for n in range(SUPPORTERS)
    )
    statuses = ["active"] * 80 + ["paused"] * 8 + ["in_training"] * 6 + ["retired"] * 6
    profiles = SupporterProfile.objects.bulk_create(
        SupporterProfile(
            program=program,
            user=user,
            display_name=f"Peer {n}",
            status=rng.choice(statuses),
            unit=rng.choice(units),
            gender=rng.choice(["woman", "man", "non-binary", ""]),
            max_active_cases=rng.choice([None, 3, 4, 6]),
            offers_messages=True,
            offers_phone=rng.random() < 0.7,
            offers_in_person=rng.random() < 0.5,
        )
        for n, user in enumerate(users)
    )
    topics = list(Topic.objects.all())
    languages = list(Language.objects.all())
    english = next(lang for lang in languages if lang.code == "en")
    lived = SupporterProfile.lived_experience.through
    spoken = SupporterProfile.languages.through
    lived.objects.bulk_create(
        lived(supporterprofile_id=p.pk, topic_id=t.pk)
        for p in profiles
        for t in rng.sample(topics, rng.randint(0, 3))
    )
    spoken.objects.bulk_create(
        spoken(supporterprofile_id=p.pk, language_id=lang.pk)
        for p in profiles
        for lang in {english, *rng.sample(languages, rng.randint(0, 2))}
    )
    today = timezone.localdate()
    requirements = list(program.training_requirements.all())
    completions = []
    for p in profiles:
        for r in requirements:
            if rng.random() < 0.03:
                continue  # never recorded
            lapsed = rng.random() < 0.04
            completions.append(
                TrainingCompletion(
                    supporter=p,
                    requirement=r,
                    completed_on=today - timezone.timedelta(days=400),
                    expires_on=today + timezone.timedelta(days=-5 if lapsed else 500),
                )
            )
    TrainingCompletion.objects.bulk_create(completions, batch_size=2000)
    now = timezone.now()
    open_statuses = ["offered", "new", "contacted", "active", "referred"]
    Case.objects.bulk_create(
        (
            Case(
                program=program,
                receipt_hash=f"bench-{n}",
                status=rng.choice(open_statuses),
                assigned_to=rng.choice(profiles),
                created_at=now,
                requester_seen_at=now,
            )
            for n in range(6_000)
        ),
        batch_size=2000,
    )
    french = next(lang for lang in languages if lang.code == "fr")
    request = Case.objects.create(
        program=program,
        receipt_hash="bench-the-request",
        channel="phone",
        preferred_language=french,
        excluded_unit=units[0],
        preferred_gender="woman",
        wants_shared_experience=True,
        created_at=now,
        requester_seen_at=now,
    )
    request.topics.set([t for t in topics if t.slug in ("trauma", "grief")])
    waiting = []
    for n in range(20):  # a coordinator's queue page of requests with mixed wishes
        queued = Case.objects.create(
            program=program,
            receipt_hash=f"bench-queued-{n}",
            channel=rng.choice(["messages", "messages", "phone", "in_person"]),
            preferred_language=rng.choice([None, None, None, english, french]),
            excluded_unit=rng.choice([None, *units]),
            preferred_gender=rng.choice(["", "", "woman", "man"]),
            wants_shared_experience=rng.random() < 0.3,
            created_at=now,
            requester_seen_at=now,
        )
        queued.topics.set(rng.sample(topics, rng.randint(0, 2)))
        waiting.append(queued)
    refresh_statistics()  # as the daily job would have, by the time a queue is this long
    return program, request, waiting


def _median_ms(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    from programs import eligibility as matching
    from programs.models import SupporterProfile

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    program, request, waiting = _build()
    build_s = time.perf_counter() - started

    def ranked():
        return list(matching.candidates(case=request)[:10])

    def plain():
        # The model orders by display_name, so this one sorts the active rows.
        return SupporterProfile.objects.filter(program=program, status="active").first()

    def by_key():
        # Walks the (program, status) index in key order and stops at the first row.
        return (
            SupporterProfile.objects.filter(program=program, status="active").order_by("pk").first()
        )

    def queue():
        return matching.ranked_for_cases(cases=waiting, per_case=3)

    # Warm up caches (and SQLite's page cache) once, then interleave the timings.
    eligible = matching.candidates(case=request).count()
    ranked(), plain(), by_key(), queue()
    reset_queries()
    rounds = [
        (_median_ms(ranked, 1), _median_ms(plain, 1), _median_ms(by_key, 1)) for _ in range(RUNS)
    ]
    matching_ms, plain_ms, key_ms = (statistics.median(r[i] for r in rounds) for i in range(3))
    queue_ms = _median_ms(queue, 7)
    top = ranked()[0]

    print(f"Scratch SQLite {connection.Database.sqlite_version}, built in {build_s:.1f}s")
    print(
        f"Roster: {SupporterProfile.objects.filter(program=program).count()} supporters, "
        f"{Case.objects.filter(program=program).count() - 21} existing cases; "
        f"{eligible} eligible for the benchmark request"
    )
    print(f"Best match: {top.display_name} ({'; '.join(matching.explain(top, request))})")
    print(f"Medians over {RUNS} interleaved runs:")
    print(f"matching.candidates(request)[:10]         {matching_ms:8.2f} ms")
    print(f"plain .filter(program, status).first()   {plain_ms:8.3f} ms")
    print(f"  same, .order_by('pk').first()           {key_ms:8.3f} ms")
    print(f"RATIO matching / plain lookup             {matching_ms / plain_ms:8.1f}x")
    print(f"  ratio matching / key-ordered lookup     {matching_ms / key_ms:8.1f}x")
    print(f"ranked_for_cases, a queue of 20           {queue_ms:8.1f} ms (seven queries, 3 each)")
