"""Reports: counts only, small numbers hidden, and hidden numbers not recoverable."""

import random
from datetime import date, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import Case, Channel, Urgency
from programs.services import reports
from tests.factories import submit_request

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- an independent attacker


def feasible_values(shown: list[int | None], total: int) -> list[set[int]]:
    """For each hidden cell, every value it could take given what is shown.

    The attacker knows the total, the shown counts and the rule that zeros are shown
    while any non-zero count is shown (so hidden cells are then at least 1). Solved by
    brute-force reachability over the other hidden cells, not by a formula.
    """
    hidden = [i for i, v in enumerate(shown) if v is None]
    remainder = total - sum(v for v in shown if v is not None)
    lower = 1 if any(v for v in shown if v is not None) else 0
    result = []
    for i in hidden:
        others = [j for j in hidden if j != i]
        # Bit n of `reach` is set when the other hidden cells can add up to n.
        reach, mask = 1, (1 << (remainder + 1)) - 1
        for _j in others:
            reach = sum_shifts(reach, range(lower, remainder + 1)) & mask
        result.append({v for v in range(lower, remainder + 1) if reach >> (remainder - v) & 1})
    return result


def sum_shifts(reach: int, steps) -> int:
    out = 0
    for step in steps:
        out |= reach << step
    return out


def show(values, hidden):
    return [None if h else v for v, h in zip(values, hidden, strict=True)]


@settings(max_examples=500, derandomize=True, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=7),
    k=st.integers(min_value=5, max_value=8),
)
def test_no_partition_shows_a_small_count_or_lets_a_hidden_one_be_worked_out(values, k):
    hidden = reports.suppress_partition(values, k)
    if hidden is None:  # the whole report is then hidden; see the report-level test
        return
    shown = show(values, hidden)
    assert not any(v is not None and 0 < v < k for v in shown)
    for options in feasible_values(shown, sum(values)):
        assert len(options) >= 2, (values, k, shown, options)


def test_a_lone_small_count_takes_another_count_with_it():
    assert reports.suppress_partition([3, 9, 12], 5) == [True, True, False]


def test_counts_that_could_only_be_ones_are_protected_by_hiding_more():
    hidden = reports.suppress_partition([1, 1, 7, 0], 5)
    assert hidden[:2] == [True, True]
    assert sum(hidden) >= 3


# Generated data sets: thirteen months of requests, each month's requests split over every
# breakdown, so that two consecutive monthly reports (months 0-11, then 1-12) can be built.
DIMENSIONS = {
    "channel": list(Channel.values),
    "urgency": list(Urgency.values),
    "case": ["open", "closed"],
    "referral": ["offered", "not_offered"],
    "matching": ["no_match", "matched"],
}
OUTCOMES = [*Case.Outcome.values, ""]


def _split(rng: random.Random, n: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, n) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]


def _months_data(counts: list[int], seed: int) -> list[dict]:
    rng = random.Random(seed)
    months = []
    for n in counts:
        month = {"n": n}
        for name, keys in DIMENSIONS.items():
            month[name] = dict(zip(keys, _split(rng, n, len(keys)), strict=True))
        month["outcome"] = dict(
            zip(OUTCOMES, _split(rng, month["case"]["closed"], len(OUTCOMES)), strict=True)
        )
        months.append(month)
    return months


def _raw(months: list[dict], first: date, k: int) -> dict:
    """What `_gather` hands over: breakdowns count only the shown months' requests."""
    shown = [m for m in months if m["n"] >= k]

    def total(name, key):
        return sum(m[name][key] for m in shown)

    return {
        "per_month": {reports._add_months(first, i): m["n"] for i, m in enumerate(months)},
        "by_channel": {c: total("channel", c) for c in Channel.values},
        "by_urgency": {u: total("urgency", u) for u in Urgency.values},
        "closed": total("case", "closed"),
        "outcomes": {o: total("outcome", o) for o in OUTCOMES},
        "referred": total("referral", "offered"),
        "no_match": total("matching", "no_match"),
        "by_topic": {},
    }


def _report_of(program, months: list[dict], period_end: date):
    first = reports._add_months(period_end, -reports.REPORT_MONTHS)
    raw = _raw(months, first, program.report_threshold)
    return reports.report_build(program=program, data=raw, period_end=period_end)


def _breakdowns(report) -> dict[str, list]:
    return {
        "channel": report.by_channel,
        "urgency": report.by_urgency,
        "case": report.cases,
        "referral": report.referrals,
        "matching": report.matching,
        "outcome": report.outcomes,
    }


class LinearAttacker:
    """Everything two reports show, as linear equations over the unknown per-month counts
    of every breakdown; a hidden count is recovered exactly when its equation follows
    from them (its row lies in their span), whatever the values."""

    def __init__(self, months: int):
        self.columns: dict[tuple, int] = {}
        self.rows: list[dict] = []
        for m in range(months):
            for name, keys in [*DIMENSIONS.items(), ("outcome", OUTCOMES)]:
                # Each breakdown's cells of a month add up to the month's count (outcomes:
                # to its closed count).
                whole = ("case", m, "closed") if name == "outcome" else ("n", m)
                self.rows.append({(name, m, key): 1 for key in keys} | {whole: -1})

    def learn(self, row: dict) -> None:
        self.rows.append(row)

    def _reduce(self, row: dict, basis: dict) -> dict:
        """Row reduction modulo a large prime (exact for these small integer rows)."""
        row = {key: v % PRIME for key, v in row.items() if v % PRIME}
        while row:
            pivot = min(row, key=repr)
            if pivot not in basis:
                return row
            factor = row[pivot]
            for key, v in basis[pivot].items():
                row[key] = (row.get(key, 0) - factor * v) % PRIME
                if not row[key]:
                    del row[key]
        return row

    def basis(self) -> dict:
        basis: dict = {}
        for row in self.rows:
            rest = self._reduce(row, basis)
            if rest:
                pivot = min(rest, key=repr)
                inverse = pow(rest[pivot], PRIME - 2, PRIME)
                basis[pivot] = {key: v * inverse % PRIME for key, v in rest.items()}
        return basis

    def recovers(self, row: dict, basis: dict) -> bool:
        return not self._reduce(row, basis)


PRIME = 2**61 - 1


def _cell_row(name: str, key: str, population: list[int]) -> dict:
    return {(name, m, key): 1 for m in population}


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    counts=st.lists(st.integers(0, 14), min_size=13, max_size=13),
    seed=st.integers(0, 2**16),
    k=st.integers(min_value=5, max_value=7),
)
def test_no_hidden_count_can_be_recovered_from_two_consecutive_reports(program, counts, seed, k):
    program.report_threshold = k
    months = _months_data(counts, seed)
    period_end = date(2026, 1, 1)
    windows = [(0, reports._add_months(period_end, -1)), (1, period_end)]
    attacker = LinearAttacker(len(months))
    hidden: list[dict] = []
    for offset, end in windows:
        report = _report_of(program, months[offset : offset + 12], end)
        every = [report.total, *report.per_month, *report.by_topic]
        every += [c for cells in _breakdowns(report).values() for c in cells]
        assert not any(c.count is not None and 0 < c.count < k for c in every)
        population = [
            offset + i for i, c in enumerate(report.per_month) if not c.suppressed and c.count
        ]
        for i, cell in enumerate(report.per_month):
            row = {("n", offset + i): 1}
            (hidden.append(row) if cell.suppressed else attacker.learn(row | {"=": cell.count}))
        if report.total.suppressed:
            breakdown_cells = [c for cells in _breakdowns(report).values() for c in cells]
            assert all(c.suppressed for c in [*breakdown_cells, *report.by_topic])
            continue
        assert report.total.count == sum(months[m]["n"] for m in population)
        # Within one report, every breakdown with a shown total leaves each hidden count at
        # least two possible values (an attacker who knows the zero rule, by brute force).
        for name, cells in _breakdowns(report).items():
            whole = report.cases[1].count if name == "outcome" else report.total.count
            if whole is not None and any(c.suppressed for c in cells):
                for options in feasible_values([c.count for c in cells], whole):
                    assert len(options) >= 2, (name, [c.count for c in cells])
            for cell in cells:
                row = _cell_row(name, cell.key, population)
                (hidden.append(row) if cell.suppressed else attacker.learn(row))
    # Across both reports and all their breakdowns together, no hidden count follows.
    attacker.rows = [{key: v for key, v in row.items() if key != "="} for row in attacker.rows]
    basis = attacker.basis()
    for row in hidden:
        if row:
            assert not attacker.recovers(row, basis), row


def test_the_old_rolling_total_would_give_a_hidden_month_away(program):
    """Why hidden months are left out of every total: two consecutive reports' totals
    differ by the month that came in less the month that left."""
    program.report_threshold = 5
    counts = [3, *[8] * 11, 9]
    months = _months_data(counts, seed=1)
    first = _report_of(program, months[:12], date(2025, 12, 1))
    second = _report_of(program, months[1:], date(2026, 1, 1))
    assert first.per_month[0].suppressed and not second.per_month[-1].suppressed
    # The difference of totals no longer contains the hidden month.
    assert second.total.count - first.total.count == 9


# ---------------------------------------------------------------- the service


def _request_in(program, month: date, **kwargs):
    submission = submit_request(program, **kwargs)
    moment = timezone.make_aware(datetime(month.year, month.month, 10, 9))
    Case.objects.filter(pk=submission.case.pk).update(created_at=moment, requester_seen_at=moment)
    return submission.case


def test_report_counts_whole_past_months_and_hides_small_ones(program, admin):
    last_month = reports._add_months(timezone.localdate().replace(day=1), -1)
    for _ in range(6):
        _request_in(program, last_month)
    _request_in(program, last_month, urgency=Urgency.SOON)
    _request_in(program, timezone.localdate().replace(day=1))  # this month: not yet counted

    report = reports.program_report(program=program, actor=admin)

    assert report.total.count == 7
    month = next(c for c in report.per_month if c.key == last_month.strftime("%Y-%m"))
    assert month.count == 7
    urgency = {c.key: c for c in report.by_urgency}
    assert urgency["soon"].suppressed and urgency["soon"].count is None
    # One hidden urgency would be 7 minus the shown ones: a second one is hidden too.
    assert sum(c.suppressed for c in report.by_urgency) >= 2


def test_report_of_a_quiet_program_hides_everything(program, admin):
    last_month = reports._add_months(timezone.localdate().replace(day=1), -1)
    for _ in range(3):
        _request_in(program, last_month)
    report = reports.program_report(program=program, actor=admin)
    assert report.all_suppressed
    assert report.total.count is None
    month = next(c for c in report.per_month if c.key == last_month.strftime("%Y-%m"))
    assert month.suppressed and month.count is None
    assert all(c.count == 0 for c in report.per_month if c is not month)


@pytest.mark.parametrize(
    "role",
    [
        "coordinator",
        "supporter",
        "other_program_admin",
        "other_program_coordinator",
        "outsider",
    ],
)
def test_only_the_programs_admins_may_see_its_report(request, program, role):
    from django.core.exceptions import PermissionDenied

    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        reports.program_report(program=program, actor=user)


# ---------------------------------------------------------------- the page


def test_admin_reads_the_report_page_with_hidden_counts_explained(client, program, admin):
    client.force_login(admin)
    response = client.get(reverse("programs:reports", args=[program.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Requests per month" in body
    assert "too few requests" in body


@pytest.mark.parametrize("role", ["coordinator", "supporter", "other_program_admin", "outsider"])
def test_report_page_is_not_found_for_anyone_else(request, client, program, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("programs:reports", args=[program.slug]))
    assert response.status_code == 404


def test_report_page_asks_anonymous_visitors_to_sign_in(client, program):
    response = client.get(reverse("programs:reports", args=[program.slug]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------- one scan, exact counts


def _request_at(program, moment, *, closed_at=None, channel=Channel.MESSAGES, **kwargs):
    request = submit_request(program, **kwargs).case
    Case.objects.filter(pk=request.pk).update(
        created_at=moment, requester_seen_at=moment, closed_at=closed_at, channel=channel
    )
    return request


def test_report_counts_each_breakdown_exactly_up_to_the_month_boundaries(program, admin):
    period_end = timezone.localdate().replace(day=1)
    period_start = reports._add_months(period_end, -reports.REPORT_MONTHS)
    start, end = reports._aware(period_start), reports._aware(period_end)
    instant = timezone.timedelta(microseconds=1)
    second = reports._aware(reports._add_months(period_start, 1))
    topic = program.topics.order_by("sort_order", "name").first()
    for _ in range(5):  # the first instant of the period, all in the first month
        _request_at(program, start, channel="phone", topics=[topic])
    _request_at(program, second - instant, urgency=Urgency.SOON)  # still the first month
    for _ in range(5):  # the first instant of the second month, closed within the period
        _request_at(program, second, closed_at=end - instant, topics=[topic])
    for _ in range(6):  # the last instant of the period, closed only after it
        _request_at(program, end - instant, closed_at=end)
    _request_at(program, start - instant)  # before the period
    _request_at(program, end)  # the current month

    report = reports.program_report(program=program, actor=admin)

    months = {c.key: c.count for c in report.per_month}
    assert report.total.count == 17
    assert months[period_start.strftime("%Y-%m")] == 6
    assert months[reports._add_months(period_start, 1).strftime("%Y-%m")] == 5
    assert months[reports._add_months(period_end, -1).strftime("%Y-%m")] == 6
    assert {c.key: c.count for c in report.by_channel}["phone"] == 5
    assert {c.key: c.count for c in report.cases} == {"open": 12, "closed": 5}
    assert {c.key: c.count for c in report.by_topic}[topic.slug] == 10


def _report_queries(program, admin) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the scan itself, not past months read back from the cache
    with CaptureQueriesContext(connection) as queries:
        reports.program_report(program=program, actor=admin)
    return [q["sql"] for q in queries.captured_queries]


def test_report_reads_the_requests_in_two_queries_however_many_there_are(program, admin):
    last_month = reports._add_months(timezone.localdate().replace(day=1), -1)
    topics = list(program.topics.all()[:2])
    for _ in range(program.report_threshold):
        _request_in(program, last_month, topics=topics)
    few = _report_queries(program, admin)
    for n in range(30):
        month = reports._add_months(last_month, -(n % 3))
        _request_at(
            program,
            reports._aware(month) + timezone.timedelta(days=3),
            channel=["messages", "phone"][n % 2],
            urgency=[Urgency.ROUTINE, Urgency.SOON][n % 2],
            topics=topics[: n % 3],
        )
    many = _report_queries(program, admin)

    assert len(many) == len(few) <= 16
    # Cold: one scan for the months, one for every partition of the shown months, one for
    # the topic breakdown: never one per breakdown.
    assert sum('FROM "programs_case" ' in sql for sql in many) == 3


# ---------------------------------------------------------------- whole past months, cached


def _figures(report) -> dict:
    return {
        name: [(c.key, c.count, c.suppressed) for c in getattr(report, name)]
        for name in ("per_month", "by_topic", "by_channel", "by_urgency", "cases")
    } | {"total": report.total.count}


def _counted(fn):
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    return result, [q["sql"] for q in queries.captured_queries]


def _spread(program, months=6):
    last_month = reports._add_months(timezone.localdate().replace(day=1), -1)
    topics = list(program.topics.all()[:2])
    for n in range(months * 6):
        month = reports._add_months(last_month, -(n % months))
        _request_at(
            program,
            reports._aware(month) + timezone.timedelta(days=2),
            channel=["messages", "phone"][n % 2],
            urgency=[Urgency.ROUTINE, Urgency.SOON][n % 2],
            topics=topics[: n % 3],
        )
    return last_month


def test_a_second_report_reads_past_months_from_the_cache_with_the_same_figures(program, admin):
    _spread(program)
    first, cold = _counted(lambda: reports.program_report(program=program, actor=admin))
    second, warm = _counted(lambda: reports.program_report(program=program, actor=admin))

    assert _figures(second) == _figures(first)
    assert first.total.count == 36
    assert len(warm) < len(cold)
    # The topic breakdown is not read again; one scan stays, for urgency and closures.
    assert sum('"programs_case_topics"' in sql for sql in warm) == 0
    # One scan of the shown months' requests, one of the cases supporters hold now.
    assert sum('FROM "programs_case" ' in sql for sql in warm) == 2


def test_urgency_and_closures_of_cached_months_are_counted_fresh(program, admin):
    last_month = _spread(program)
    # A report whose period runs to next month, so a closure now falls within it.
    next_month = reports._add_months(timezone.localdate().replace(day=1), 1)
    before = reports.program_report(program=program, actor=admin, today=next_month)
    k = program.report_threshold
    chosen = list(
        Case.objects.filter(created_at__lt=reports._aware(last_month)).values_list("pk", flat=True)[
            :k
        ]
    )
    # A requester's later message can make an open request urgent; closing moves it.
    Case.objects.filter(pk__in=chosen).update(
        urgency=Urgency.URGENT, closed_at=timezone.now(), status="closed"
    )
    after = reports.program_report(program=program, actor=admin, today=next_month)

    def counts(report, name):
        return {c.key: c.count for c in getattr(report, name)}

    assert (counts(before, "cases")["closed"], counts(after, "cases")["closed"]) == (0, k)
    assert (counts(before, "by_urgency")["urgent"], counts(after, "by_urgency")["urgent"]) == (0, k)
    assert counts(after, "per_month") == counts(before, "per_month")


def test_the_month_not_yet_over_is_never_cached(program, admin):
    this_month = timezone.localdate().replace(day=1)
    _spread(program)
    next_month = reports._add_months(this_month, 1)
    for _ in range(6):
        _request_in(program, this_month)
    first = reports.program_report(program=program, actor=admin, today=next_month)
    _request_in(program, this_month)
    second = reports.program_report(program=program, actor=admin, today=next_month)

    key = this_month.strftime("%Y-%m")
    assert {c.key: c.count for c in second.per_month}[key] == 7
    assert {c.key: c.count for c in first.per_month}[key] == 6
    assert second.total.count == first.total.count + 1


def test_a_purge_forgets_the_cached_months_and_keeps_their_figures(program, admin):
    from programs.services import cases

    last_month = _spread(program)
    old = reports._aware(reports._add_months(last_month, -3)) + timezone.timedelta(days=2)
    Case.objects.filter(created_at=old).update(status="closed", closed_at=old, outcome="supported")
    first = reports.program_report(program=program, actor=admin)
    _warm, warm = _counted(lambda: reports.program_report(program=program, actor=admin))

    assert cases.cases_purge_expired(now=timezone.now() + timezone.timedelta(days=3650)) > 0
    after, queries = _counted(lambda: reports.program_report(program=program, actor=admin))

    assert _figures(after) == _figures(first)
    assert len(queries) > len(warm)  # read again, not from the cache
