"""Reports: counts only, small numbers hidden, and hidden numbers not recoverable."""

import math
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


# Generated data sets: fifteen months of requests (October 2024 to December 2025), each
# month's requests split over every breakdown, so that two consecutive monthly reports
# (ending in October, November or December 2025, then a month later) and every quarter they
# show can be built.
DIMENSIONS = {
    "channel": list(Channel.values),
    "urgency": list(Urgency.values),
    "case": ["open", "closed"],
    "referral": ["offered", "not_offered"],
    "matching": ["no_match", "matched"],
}
OUTCOMES = [*Case.Outcome.values, ""]
FIRST_MONTH = date(2024, 10, 1)
MONTHS = 15


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


def _index(month: date) -> int:
    return (month.year - FIRST_MONTH.year) * 12 + month.month - FIRST_MONTH.month


def _shown_months(months: list[dict], quarter: date, k: int) -> list[int]:
    first = _index(quarter)
    return [i for i in range(first, first + 3) if months[i]["n"] >= k]


def _raw(months: list[dict], period_end: date, k: int) -> dict:
    """What `_gather` hands over: each quarter's figures count its shown months only."""

    def total(population, name, key):
        return sum(months[i][name][key] for i in population)

    quarters = {}
    for quarter in reports.report_quarters(period_end):
        shown = _shown_months(months, quarter, k)
        quarters[quarter] = {
            "by_channel": {c: total(shown, "channel", c) for c in Channel.values},
            "by_urgency": {u: total(shown, "urgency", u) for u in Urgency.values},
            "closed": total(shown, "case", "closed"),
            "outcomes": {o: total(shown, "outcome", o) for o in OUTCOMES},
            "referred": total(shown, "referral", "offered"),
            "no_match": total(shown, "matching", "no_match"),
            "by_topic": {},
        }
    return {
        "per_month": {reports._add_months(FIRST_MONTH, i): m["n"] for i, m in enumerate(months)},
        "quarters": quarters,
    }


def _report_of(program, months: list[dict], period_end: date):
    raw = _raw(months, period_end, program.report_threshold)
    return reports.report_build(program=program, data=raw, period_end=period_end)


def _breakdowns(cells_of) -> dict[str, list]:
    return {
        "channel": cells_of.by_channel,
        "urgency": cells_of.by_urgency,
        "case": cells_of.cases,
        "referral": cells_of.referrals,
        "matching": cells_of.matching,
        "outcome": cells_of.outcomes,
    }


def _published(report, months: list[dict], k: int) -> list[tuple]:
    """Every breakdown the report shows, as (name, population, cells): the population is
    the months (indices into `months`) whose requests the breakdown counts."""
    return [
        (name, tuple(_shown_months(months, quarter.start, k)), cells)
        for quarter in report.quarters
        for name, cells in _breakdowns(quarter).items()
    ]


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


def _cell_row(name: str, key: str, population) -> dict:
    return {(name, m, key): 1 for m in population}


class BoundsAttacker:
    """Everything two reports show, as integer constraints: each breakdown's unknown count
    per group of months (months that every published breakdown counts alike) is a
    non-negative integer, a group's counts add up to its requests (outcomes: to its
    closed requests), every shown cell is a sum of them, and a hidden cell is at least 1
    while its breakdown shows a non-zero count. A hidden cell is pinned when every
    solution gives it the same value. Solved exactly: bounds propagation and bisection."""

    def __init__(self, months: list[dict], published: list[tuple]):
        signature: dict[int, set] = {}
        for i, (_name, population, _cells) in enumerate(published):
            for m in population:
                signature.setdefault(m, set()).add(i)
        groups: dict[frozenset, list[int]] = {}
        for m, sig in signature.items():
            groups.setdefault(frozenset(sig), []).append(m)
        self.groups = list(groups.values())
        self.domains: dict[tuple, tuple[int, int]] = {}
        self.constraints: list[tuple[list, int, float]] = []
        for g, members in enumerate(self.groups):
            n = sum(months[m]["n"] for m in members)
            for name, keys in [*DIMENSIONS.items(), ("outcome", OUTCOMES)]:
                terms = [((name, g, key), 1) for key in keys]
                self.domains.update({(name, g, key): (0, n) for key in keys})
                if name == "outcome":
                    terms.append((("case", g, "closed"), -1))
                    self.constraints.append((terms, 0, 0))
                else:
                    self.constraints.append((terms, n, n))
        self.hidden: list[list] = []
        for name, population, cells in published:
            in_groups = [g for g, members in enumerate(self.groups) if members[0] in population]
            lower = 1 if any(c.count for c in cells) else 0
            for cell in cells:
                terms = [((name, g, cell.key), 1) for g in in_groups]
                if cell.suppressed and terms:  # a count over no month is 0, and hides nothing
                    self.constraints.append((terms, lower, math.inf))
                    self.hidden.append(terms)
                elif cell.suppressed:
                    continue
                else:
                    self.constraints.append((terms, cell.count, cell.count))

    @staticmethod
    def _propagate(domains: dict, constraints: list) -> dict | None:
        domains = dict(domains)
        changed = True
        while changed:
            changed = False
            for terms, low, high in constraints:
                smin = sum(domains[v][0] if c > 0 else -domains[v][1] for v, c in terms)
                smax = sum(domains[v][1] if c > 0 else -domains[v][0] for v, c in terms)
                if smin > high or smax < low:
                    return None
                for v, c in terms:
                    lo, hi = domains[v]
                    own_min, own_max = (lo, hi) if c > 0 else (-hi, -lo)
                    # What this term may be, given what the others can add up to.
                    t_min, t_max = max(own_min, low - (smax - own_max)), own_max
                    if high != math.inf:
                        t_max = min(own_max, high - (smin - own_min))
                    new = (t_min, t_max) if c > 0 else (-t_max, -t_min)
                    if new[0] > new[1]:
                        return None
                    if new != (lo, hi):
                        domains[v] = (int(new[0]), int(new[1]))
                        smin = sum(domains[u][0] if d > 0 else -domains[u][1] for u, d in terms)
                        smax = sum(domains[u][1] if d > 0 else -domains[u][0] for u, d in terms)
                        changed = True
        return domains

    def _solve(self, domains: dict, constraints: list) -> dict | None:
        domains = self._propagate(domains, constraints)
        if domains is None:
            return None
        free = [v for v, (lo, hi) in domains.items() if lo < hi]
        if not free:
            return {v: lo for v, (lo, _hi) in domains.items()}
        var = min(free, key=lambda v: domains[v][1] - domains[v][0])
        lo, hi = domains[var]
        middle = (lo + hi) // 2
        for part in ((lo, middle), (middle + 1, hi)):
            found = self._solve({**domains, var: part}, constraints)
            if found is not None:
                return found
        return None

    def _components(self) -> dict:
        """{variable: (its domains, the constraints it is tied into)}: solved apart."""
        parent = {v: v for v in self.domains}

        def root(v):
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for terms, _low, _high in self.constraints:
            for v, _c in terms[1:]:
                parent[root(v)] = root(terms[0][0])
        parts: dict = {}
        for v in self.domains:
            parts.setdefault(root(v), ({}, []))[0][v] = self.domains[v]
        for constraint in self.constraints:
            parts[root(constraint[0][0][0])][1].append(constraint)
        return {v: parts[root(v)] for v in self.domains}

    def pinned(self) -> list[list]:
        components = self._components()
        result = []
        for terms in self.hidden:
            domains, constraints = components[terms[0][0]]
            solution = self._solve(domains, constraints)
            assert solution is not None, "the true data is a solution"
            value = sum(solution[v] for v, _c in terms)
            others = [(terms, 0, value - 1), (terms, value + 1, math.inf)]
            if not any(self._solve(domains, [*constraints, other]) is not None for other in others):
                result.append(terms)
        return result


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    counts=st.lists(st.integers(0, 14), min_size=MONTHS, max_size=MONTHS),
    seed=st.integers(0, 2**16),
    k=st.integers(min_value=5, max_value=7),
    first_end=st.sampled_from([date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]),
)
def test_no_hidden_count_can_be_recovered_from_two_consecutive_reports(
    program, counts, seed, k, first_end
):
    program.report_threshold = k
    months = _months_data(counts, seed)
    attacker = LinearAttacker(len(months))
    hidden: list[dict] = []
    published = []
    for end in (first_end, reports._add_months(first_end, 1)):
        report = _report_of(program, months, end)
        offset = _index(report.period_start)
        every = [report.total, *report.per_month]
        every += [c for q in report.quarters for c in [q.total, *q.by_topic]]
        every += [c for _n, _p, cells in _published(report, months, k) for c in cells]
        assert not any(c.count is not None and 0 < c.count < k for c in every)
        for i, cell in enumerate(report.per_month):
            row = {("n", offset + i): 1}
            (hidden.append(row) if cell.suppressed else attacker.learn(row))
        for quarter in report.quarters:
            population = _shown_months(months, quarter.start, k)
            if quarter.total.suppressed:
                assert all(c.suppressed for c in quarter.by_topic)
                assert all(c.suppressed for cells in _breakdowns(quarter).values() for c in cells)
            else:
                assert quarter.total.count == sum(months[m]["n"] for m in population)
        for name, population, cells in _published(report, months, k):
            published.append((name, population, cells))
            for cell in cells:
                row = _cell_row(name, cell.key, population)
                (hidden.append(row) if cell.suppressed else attacker.learn(row))
    # A quarter shown by both reports shows the very same cells in both.
    seen: dict = {}
    for name, population, cells in published:
        figures = [(c.key, c.count, c.suppressed) for c in cells]
        assert seen.setdefault((name, population), figures) == figures
    # Across both reports and all their breakdowns together, no hidden count follows
    # linearly, nor from the counts being integers of at least zero.
    basis = attacker.basis()
    for row in hidden:
        if row:
            assert not attacker.recovers(row, basis), row
    assert BoundsAttacker(months, published).pinned() == []


def test_the_old_rolling_total_would_give_a_hidden_month_away(program):
    """Why hidden months are left out of every total: two consecutive reports' totals
    differ by the month that came in less the month that left."""
    program.report_threshold = 5
    counts = [0, 0, 3, *[8] * 11, 9]  # from October 2024: December 2024 has 3
    months = _months_data(counts, seed=1)
    first = _report_of(program, months, date(2025, 12, 1))
    second = _report_of(program, months, date(2026, 1, 1))
    assert first.per_month[0].suppressed and not second.per_month[-1].suppressed
    # The difference of totals no longer contains the hidden month.
    assert second.total.count - first.total.count == 9


# ---------------------------------------------------------------- the service


def _quarter_month() -> date:
    """The last month of the last quarter that has ended: its breakdowns are shown."""
    period_end = timezone.localdate().replace(day=1)
    return reports._add_months(reports.report_quarters(period_end)[-1], 2)


def _request_in(program, month: date, **kwargs):
    submission = submit_request(program, **kwargs)
    moment = timezone.make_aware(datetime(month.year, month.month, 10, 9))
    Case.objects.filter(pk=submission.case.pk).update(created_at=moment, requester_seen_at=moment)
    return submission.case


def test_report_counts_whole_past_months_and_hides_small_ones(program, admin):
    month = _quarter_month()
    for _ in range(6):
        _request_in(program, month)
    _request_in(program, month, urgency=Urgency.SOON)
    _request_in(program, timezone.localdate().replace(day=1))  # this month: not yet counted

    report = reports.program_report(program=program, actor=admin)

    assert report.total.count == 7
    cell = next(c for c in report.per_month if c.key == month.strftime("%Y-%m"))
    assert cell.count == 7
    quarter = report.quarters[-1]
    assert quarter.total.count == 7
    urgency = {c.key: c for c in quarter.by_urgency}
    assert urgency["soon"].suppressed and urgency["soon"].count is None
    # One hidden urgency would be 7 minus the shown ones: a second one is hidden too.
    assert sum(c.suppressed for c in quarter.by_urgency) >= 2


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


def test_report_counts_each_breakdown_exactly_up_to_the_quarter_boundaries(program, admin):
    quarter = reports.report_quarters(timezone.localdate().replace(day=1))[-1]
    start = reports._aware(quarter)
    end = reports._aware(reports._add_months(quarter, 3))
    instant = timezone.timedelta(microseconds=1)
    second = reports._aware(reports._add_months(quarter, 1))
    topic = program.topics.order_by("sort_order", "name").first()
    for _ in range(5):  # the first instant of the quarter, all in its first month
        _request_at(program, start, channel="phone", topics=[topic])
    _request_at(program, second - instant, urgency=Urgency.SOON)  # still the first month
    for _ in range(5):  # the first instant of the second month, closed within the quarter
        _request_at(program, second, closed_at=end - instant, topics=[topic])
    for _ in range(6):  # the last instant of the quarter, closed only after it
        _request_at(program, end - instant, closed_at=end)
    _request_at(program, start - instant)  # the quarter before
    _request_at(program, end)  # the quarter after

    report = reports.program_report(program=program, actor=admin)

    months = {c.key: c.count for c in report.per_month}
    assert months[quarter.strftime("%Y-%m")] == 6
    assert months[reports._add_months(quarter, 1).strftime("%Y-%m")] == 5
    assert months[reports._add_months(quarter, 2).strftime("%Y-%m")] == 6
    shown = report.quarters[-1]
    assert shown.total.count == 17
    assert {c.key: c.count for c in shown.by_channel}["phone"] == 5
    assert {c.key: c.count for c in shown.cases} == {"open": 12, "closed": 5}
    assert {c.key: c.count for c in shown.by_topic}[topic.slug] == 10


def _report_queries(program, admin) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs.models import ReportQuarter

    # The scan itself, not past months or quarters read back.
    cache.clear()
    ReportQuarter.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        reports.program_report(program=program, actor=admin)
    return [q["sql"] for q in queries.captured_queries]


def test_report_reads_the_requests_in_two_queries_however_many_there_are(program, admin):
    last_month = _quarter_month()
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

    assert len(many) == len(few) <= 18
    # Cold: one scan for the months, one grouped scan for every partition of the shown
    # quarters, one of the cases supporters hold now: never one per breakdown.
    assert sum('FROM "programs_case" ' in sql for sql in many) == 3


# ---------------------------------------------------------------- whole past months, cached


def _figures(report) -> dict:
    names = ("by_topic", "by_channel", "by_urgency", "cases", "outcomes", "matching")
    return {
        (quarter.key, name): [(c.key, c.count, c.suppressed) for c in getattr(quarter, name)]
        for quarter in report.quarters
        for name in names
    } | {
        "per_month": [(c.key, c.count) for c in report.per_month],
        "total": report.total.count,
    }


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
    # Neither the topics nor the requests are read again: the ended quarters are stored,
    # and the only scan left is of the cases supporters hold now.
    assert sum('"programs_case_topics"' in sql for sql in warm) == 0
    assert sum('FROM "programs_case" ' in sql for sql in warm) == 1


def test_a_reported_quarter_keeps_its_figures_whatever_changes_later(program, admin):
    from programs.models import ReportQuarter

    _spread(program, months=9)
    before = reports.program_report(program=program, actor=admin)
    quarter = before.quarters[-1]
    assert quarter.total.count and ReportQuarter.objects.filter(program=program).exists()
    k = program.report_threshold
    made = Case.objects.filter(
        created_at__gte=reports._aware(quarter.start), created_at__lt=reports._aware(quarter.end)
    )
    chosen = list(made.values_list("pk", flat=True)[:k])
    # A requester's later message can make a request urgent, an assignment clears no_match:
    # a quarter already reported shows what it showed, so no difference gives them away.
    Case.objects.filter(pk__in=chosen).update(urgency=Urgency.URGENT, no_match=True)
    cache.clear()
    after = reports.program_report(program=program, actor=admin)

    assert _figures(after) == _figures(before)
    # Counted afresh, the change would show.
    ReportQuarter.objects.all().delete()
    fresh = reports.program_report(program=program, actor=admin).quarters[-1]
    assert {c.key: c.count for c in fresh.by_urgency}["urgent"] == k
    assert {c.key: c.count for c in quarter.by_urgency}["urgent"] == 0


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
