"""Aggregate reports for program admins: counts only, small numbers hidden.

What an admin sees, and why it cannot point at a person:

- Only whole months, and only months that have ended: a count never moves while someone
  watches it, and no time finer than a month is shown.
- A month with 1 to k-1 requests is shown as "fewer than k", and its requests are left out
  of every other figure (totals, breakdowns, times): no published total includes them, so
  no difference of totals, in one report or between two consecutive monthly reports (whose
  periods overlap by eleven months), gives a hidden month away.
- The breakdowns (channel, urgency, open or closed, outcomes, topics, ...) are per calendar
  quarter, and only for the last four quarters that have ended. A quarter's figures are
  stored the first time it is reported, so every later report shows the very same cells:
  a new report only adds a quarter, and no breakdown is ever published over a window that
  moves (two rolling windows differ by a month in and a month out, and with the counts
  known to be at least zero that difference can pin a hidden count).
- Each breakdown is a partition of its quarter's total (of its shown months). A count from
  1 to k-1 is hidden (primary suppression). Then, so that a
  hidden count cannot be worked out from the total, more counts are hidden (secondary
  suppression) until no hidden count is pinned: never a single hidden count in a
  breakdown, and never hidden counts that could only all be 1. A zero is hidden only
  when every other count already is; so while any non-zero count is shown, hidden
  counts are at least 1, and otherwise they are at least 0.
- Topics are not a partition (a request may have several), so no topic total is shown
  and only the small topic counts are hidden.
- If a quarter's total is below k, every count of that quarter is hidden, zeros included.
- Percentages and times are computed only from populations that are shown.
- Counts about supporters (status, training, debriefs) and about the newsletter and
  group sessions go through the same suppression, as a partition where they add up to a
  shown total and alone otherwise.
- There are no filters: the same fixed report for everyone allowed to see it.
"""

import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import BooleanField, Count, F, IntegerField, Max, Min, Q, Sum, Value, When
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import eligibility, exports, permissions, signals
from ..models import (
    AuditEntry,
    Case,
    Channel,
    Message,
    Program,
    Referral,
    ReportQuarter,
    SupporterProfile,
    Topic,
    Urgency,
)
from .audit import audit_record

REPORT_MONTHS = 12
REPORT_QUARTERS = 4
BUCKET = "month"


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    count: int | None
    suppressed: bool


@dataclass(frozen=True)
class Wait:
    """Time from request to first supporter contact in one month, as bucket bounds in hours:
    `median` hours or less for half of the month's requests, `p90` for nine in ten. None
    with `shown` means not yet for that share; `shown` False: too few requests to say."""

    key: str
    label: str
    shown: bool
    median: int | None = None
    p90: int | None = None
    empty: bool = False  # no requests that month

    @property
    def median_text(self) -> str:
        return wait_text(self.median) if self.shown else ""

    @property
    def p90_text(self) -> str:
        return wait_text(self.p90) if self.shown else ""


def wait_text(hours: int | None) -> str:
    """A bucket bound in words: "within 4 hours", "within 2 days"."""
    if hours is None:
        return _("more than two weeks, or not yet")
    if hours < 48:
        return ngettext("within %(n)s hour", "within %(n)s hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("within %(n)s day", "within %(n)s days", days) % {"n": days}


@dataclass(frozen=True)
class Share:
    """A part of a shown population, as a percentage; None when either count is hidden."""

    key: str
    label: str
    percent: int | None


# Upper bounds (hours) of the buckets times to first contact are counted in. A bound, not an
# exact time, is shown: "within 4 hours".
WAIT_BOUNDS = (1, 2, 4, 8, 12, 24, 48, 72, 168, 336)


@dataclass
class Quarter:
    """The breakdowns of one calendar quarter that has ended: the same figures in every
    report that shows it."""

    key: str
    label: str
    start: date
    end: date  # exclusive
    total: Cell
    hidden_months: int = 0
    by_topic: list[Cell] = field(default_factory=list)
    by_channel: list[Cell] = field(default_factory=list)
    by_urgency: list[Cell] = field(default_factory=list)
    cases: list[Cell] = field(default_factory=list)
    outcomes: list[Cell] = field(default_factory=list)
    referrals: list[Cell] = field(default_factory=list)
    matching: list[Cell] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    all_suppressed: bool = False

    @property
    def last_month(self) -> date:
        return _add_months(self.end, -1)


@dataclass
class Report:
    program: Program
    threshold: int
    bucket: str
    period_start: date
    period_end: date  # exclusive: the first day of the current month
    total: Cell
    per_month: list[Cell] = field(default_factory=list)
    quarters: list[Quarter] = field(default_factory=list)  # oldest first
    first_contact: list[Wait] = field(default_factory=list)
    supporters: list[Cell] = field(default_factory=list)
    training: list[Cell] = field(default_factory=list)
    capacity: list[Cell] = field(default_factory=list)
    activity: list[Cell] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    all_suppressed: bool = False

    @property
    def last_month(self) -> date:
        return _add_months(self.period_end, -1)

    @property
    def hidden_months(self) -> int:
        return sum(c.suppressed for c in self.per_month)


def _pinned(values: list[int], hidden: list[bool]) -> bool:
    """True if the hidden counts of a partition with a known total can be worked out."""
    hidden_count = sum(hidden)
    if hidden_count == 0:
        return False
    shown_nonzero = any(v > 0 for v, h in zip(values, hidden, strict=True) if not h)
    lower = 1 if shown_nonzero else 0
    remainder = sum(v for v, h in zip(values, hidden, strict=True) if h)
    return hidden_count == 1 or remainder == hidden_count * lower


def suppress_partition(values: list[int], k: int) -> list[bool] | None:
    """Which counts to hide in a partition of a shown total; None if no pattern is safe."""
    hidden = [0 < v < k for v in values]
    while _pinned(values, hidden):
        shown = [(v, i) for i, (v, h) in enumerate(zip(values, hidden, strict=True)) if not h]
        nonzero = sorted((v, i) for v, i in shown if v > 0)
        zeros = [i for v, i in shown if v == 0]
        if nonzero:
            hidden[nonzero[0][1]] = True
        elif zeros:
            hidden[zeros[0]] = True
        else:
            return None
    return hidden


def suppress_independent(values: list[int], k: int) -> list[bool]:
    """Counts with no published total: hide only the small ones."""
    return [0 < v < k for v in values]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_of(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def report_quarters(period_end: date) -> list[date]:
    """The first days of the last REPORT_QUARTERS calendar quarters that ended by
    `period_end`, oldest first."""
    last = _add_months(_quarter_of(period_end), -3)
    return [_add_months(last, -3 * i) for i in reversed(range(REPORT_QUARTERS))]


def _quarter_months(quarter: date) -> list[date]:
    return [_add_months(quarter, i) for i in range(3)]


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _cells(keys, labels, values, hidden) -> list[Cell]:
    return [
        Cell(key=key, label=str(label), count=None if h else v, suppressed=h)
        for key, label, v, h in zip(keys, labels, values, hidden, strict=True)
    ]


# Whole past months, cached per program. What a month's cases are counted by is fixed once
# the month has ended: the month a request was made in (`created_at`) and its topics are
# set at intake and never change, and the purge keeps them (it cuts times to the start of
# the same month). So a past month's count and topic counts are cached (the topics are the
# costly part: a join). Urgency, matching and closures can still move (a requester's later
# message can raise an open request to urgent; an assignment or the purge clears
# `no_match`): those are counted per quarter, once, and stored (`ReportQuarter`).
CACHE_PREFIX = "reports"
MONTH_CACHE_SECONDS = 60 * 60 * 24 * 45  # past the next month's end: entries stay small


def _version_key(program_id: int) -> str:
    return f"{CACHE_PREFIX}:version:{program_id}"


def _version(program_id: int) -> str:
    """A version for the program's cached months; a lost version (an evicted key) is a
    new one, so stale months are never read back."""
    key = _version_key(program_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key) or ""
    return version


def report_cache_bump(*, program_ids=None) -> None:
    """Forget cached months (after the purge, or anything that writes past months' rows);
    without program_ids, every program's."""
    if program_ids is None:
        program_ids = Program.objects.values_list("pk", flat=True)
    cache.set_many({_version_key(pk): uuid.uuid4().hex for pk in set(program_ids)}, None)


def _month_key(program: Program, version: str, month: date) -> str:
    zone = timezone.get_current_timezone_name()
    return f"{CACHE_PREFIX}:{program.pk}:{version}:{zone}:{month:%Y-%m}"


def _months(start: datetime, end: datetime) -> list[date]:
    first = start.date() if isinstance(start, datetime) else start
    months = []
    month = date(first.year, first.month, 1)
    while _aware(month) < end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def _month_range(month: date, end: datetime) -> Q:
    following = _add_months(month, 1)
    return Q(created_at__gte=_aware(month), created_at__lt=min(_aware(following), end))


def _ranges(months: list[date], end: datetime, prefix: str = "") -> Q:
    """Requests made in these months, adjacent months joined into one range; `prefix`
    ("case__") for a table that points at the request."""
    q = Q(pk__in=[])
    run: list[date] = []
    for month in [*sorted(months), None]:
        if run and (month is None or month != _add_months(run[-1], 1)):
            q |= Q(
                **{
                    f"{prefix}created_at__gte": _aware(run[0]),
                    f"{prefix}created_at__lt": min(_aware(_add_months(run[-1], 1)), end),
                }
            )
            run = []
        if month is not None:
            run.append(month)
    return q


def _month_counts(program: Program, start: datetime, end: datetime) -> dict:
    """{month: {"n": requests, "topics": {topic id: n}}}; ended months from the cache."""
    months = _months(start, end)
    # Only months that ended before this month began are complete (whatever `today` the
    # report was asked for).
    now = timezone.localdate()
    complete_before = _aware(date(now.year, now.month, 1))
    version = _version(program.pk)
    keys = {
        m: _month_key(program, version, m)
        for m in months
        if _aware(_add_months(m, 1)) <= complete_before and _aware(_add_months(m, 1)) <= end
    }
    found = cache.get_many(list(keys.values()))
    cached = {m: found[key] for m, key in keys.items() if key in found}
    missing = [m for m in months if m not in cached]
    if not missing:
        return cached
    row = (
        Case.objects.filter(program=program, created_at__gte=_aware(missing[0]), created_at__lt=end)
        .order_by()
        .aggregate(
            **{f"m{i}": Count("pk", filter=_month_range(m, end)) for i, m in enumerate(missing)}
        )
    )
    fresh = {m: {"n": row[f"m{i}"], "topics": {}} for i, m in enumerate(missing)}
    through = Case.topics.through
    topic_counts = {
        f"m{i}": Count(
            "pk",
            filter=Q(
                case__created_at__gte=_aware(month),
                case__created_at__lt=min(_aware(_add_months(month, 1)), end),
            ),
        )
        for i, month in enumerate(missing)
    }
    for topic_row in (
        through.objects.filter(
            case__program=program,
            case__created_at__gte=_aware(missing[0]),
            case__created_at__lt=end,
        )
        .order_by()
        .values("topic_id")
        .annotate(**topic_counts)
    ):
        for i, month in enumerate(missing):
            if topic_row[f"m{i}"]:
                fresh[month]["topics"][topic_row["topic_id"]] = topic_row[f"m{i}"]
    cache.set_many({keys[m]: fresh[m] for m in missing if m in keys}, MONTH_CACHE_SECONDS)
    return {**cached, **fresh}


# A month's first-contact figures stop moving once every request in it is more than the
# last bucket (two weeks) old: a later first contact falls in "longer, or not yet" either way.
WAITS_SETTLED = timedelta(hours=WAIT_BOUNDS[-1] + 24)


def _first_contacts(program: Program, shown: list[date], end: datetime) -> dict:
    """{month: [requests first contacted within each of WAIT_BOUNDS hours]}: settled past
    months from the cache, the others in one query.

    A first contact is the first message a supporter or coordinator wrote to the requester
    before the period ended. Only the months that are shown are read.
    """
    if not shown:
        return {}
    version = _version(program.pk)
    # Only messages written before `end` count, so once `end` has passed a month's figures
    # for this report can no longer change: they are cached under the period's end, and
    # under the month alone once they no longer depend on it.
    keys = {}
    if end <= timezone.now():
        for m in shown:
            settled = _aware(_add_months(m, 1)) + WAITS_SETTLED <= end
            suffix = ":waits" if settled else f":waits:{end:%Y-%m-%d}"
            keys[m] = _month_key(program, version, m) + suffix
    found = cache.get_many(list(keys.values()))
    result = {m: found[key] for m, key in keys.items() if key in found}
    missing = [m for m in shown if m not in result]
    if not missing:
        return result
    staff = [Message.Sender.SUPPORTER, Message.Sender.COORDINATOR]
    firsts = (
        Message.objects.filter(case__program=program, sender__in=staff, created_at__lt=end)
        .filter(_ranges(missing, end, "case__"))
        .order_by()
        .values("case_id")
        .annotate(made=Max("case__created_at"), first=Min("created_at"))
    )
    counts = {}
    for i, month in enumerate(missing):
        in_month = Q(made__gte=_aware(month), made__lt=min(_aware(_add_months(month, 1)), end))
        for j, hours in enumerate(WAIT_BOUNDS):
            counts[f"w{i}_{j}"] = Count(
                "case_id", filter=in_month & Q(first__lte=F("made") + timedelta(hours=hours))
            )
    row = firsts.aggregate(**counts)
    fresh = {
        month: [row[f"w{i}_{j}"] or 0 for j in range(len(WAIT_BOUNDS))]
        for i, month in enumerate(missing)
    }
    cache.set_many({keys[m]: fresh[m] for m in missing if m in keys}, MONTH_CACHE_SECONDS)
    return {**result, **fresh}


def _people(program: Program, start: datetime) -> dict:
    """Supporters by status, training currency, capacity in use, debriefs: four queries."""
    status = SupporterProfile.Status
    row = SupporterProfile.objects.filter(program=program).aggregate(
        **{f"s_{s}": Count("pk", filter=Q(status=s)) for s in status.values},
        places=Sum(
            Coalesce("max_active_cases", Value(program.default_caseload_cap)),
            filter=Q(status=status.ACTIVE),
        ),
        debriefs=Count("pk", filter=Q(debrief_requested_at__gte=start)),
    )
    in_use = Case.objects.filter(
        program=program,
        status__in=Case.ACTIVE_CASE_STATUSES,
        assigned_to__status=status.ACTIVE,
    ).count()
    taking = list(
        SupporterProfile.objects.filter(
            program=program, status__in=[status.ACTIVE, status.PAUSED]
        ).values_list("pk", flat=True)
    )
    ledger = eligibility.training_ledger(supporters=SupporterProfile.objects.filter(pk__in=taking))
    training = {"valid": 0, "expiring": 0, "lapsed": 0}
    for pk in taking:
        required = [r for r in ledger.get(pk, []) if r.requirement.is_required]
        if any(not r.valid for r in required):
            training["lapsed"] += 1
        elif any(r.state == eligibility.LEDGER_EXPIRING for r in required):
            training["expiring"] += 1
        else:
            training["valid"] += 1
    return {
        "supporters": {s: row[f"s_{s}"] for s in status.values},
        "places": row["places"] or 0,
        "in_use": in_use,
        "debriefs": row["debriefs"],
        "training": training,
    }


def _activity(program: Program, start: datetime, end: datetime) -> dict:
    """Newsletter and group-session counts: their apps answer `signals.report_counts`."""
    counts = {"subscribers": 0, "issues_sent": 0}
    for _receiver, answer in signals.report_counts.send(
        sender=Program, program=program, start=start, end=end
    ):
        counts.update(answer or {})
    return counts


def _gather(program: Program, start: datetime, end: datetime) -> dict:
    """Every figure of the report in a few queries whatever the number of requests.

    Past months' counts and topics come from the cache, quarters that were reported before
    from their stored figures, first contacts from the cache once they cannot change. A
    quarter not yet stored costs one grouped scan of its shown months' requests (with the
    other missing quarters) and one query of referrals.
    """
    k = program.report_threshold
    period_end = timezone.localtime(end).date()
    quarters = report_quarters(period_end)
    first = min(_aware(quarters[0]), start)
    per_month = _month_counts(program, first, end)
    months = _months(start, end)
    shown = [m for m in months if per_month[m]["n"] >= k]
    return {
        "per_month": {m: v["n"] for m, v in per_month.items() if v["n"]},
        "quarters": _quarter_figures(program, quarters, per_month, k),
        "first_contact": _first_contacts(program, shown, end),
        **_people(program, start),
        "activity": _activity(program, start, end),
    }


def _empty_figures() -> dict:
    return {
        "by_channel": {},
        "by_urgency": {},
        "closed": 0,
        "outcomes": {},
        "referred": 0,
        "no_match": 0,
        "by_topic": {},
    }


def _stored(figures: dict) -> dict:
    """Stored figures as `report_build` takes them (JSON keys are strings)."""
    return figures | {"by_topic": {int(t): n for t, n in figures["by_topic"].items()}}


def _quarter_figures(program: Program, quarters: list[date], per_month: dict, k: int) -> dict:
    """{quarter: raw figures of its shown months}: stored quarters read back, the others
    counted, and stored once the quarter has ended, so that no later report can show a
    quarter with other figures (an urgency raised, a request matched or purged later)."""
    rows = ReportQuarter.objects.filter(program=program, threshold=k, quarter__in=quarters)
    result = {row.quarter: _stored(row.figures) for row in rows}
    missing = [q for q in quarters if q not in result]
    if not missing:
        return result
    fresh = _quarter_scan(program, missing, per_month, k)
    now = timezone.now()
    ended = [q for q in missing if _aware(_add_months(q, 3)) <= now]
    if ended:
        ReportQuarter.objects.bulk_create(
            [
                ReportQuarter(program=program, quarter=q, threshold=k, figures=fresh[q])
                for q in ended
            ],
            ignore_conflicts=True,
        )
        # Another report may have stored a quarter first: show what is stored.
        rows = ReportQuarter.objects.filter(program=program, threshold=k, quarter__in=ended)
        fresh.update({row.quarter: _stored(row.figures) for row in rows})
    return result | fresh


def _quarter_scan(program: Program, quarters: list[date], per_month: dict, k: int) -> dict:
    """Count the quarters' shown months: one grouped scan of the requests (no conditional
    counts: the database groups each row once), one of the referrals.

    Closed, and professional help offered, mean by the end of the request's quarter.
    """
    figures = {q: _empty_figures() for q in quarters}
    shown = [
        m for q in quarters for m in _quarter_months(q) if per_month.get(m, {"n": 0})["n"] >= k
    ]
    for q in quarters:
        for m in _quarter_months(q):
            if m in shown:
                for topic_id, n in per_month[m]["topics"].items():
                    by_topic = figures[q]["by_topic"]
                    by_topic[topic_id] = by_topic.get(topic_id, 0) + n
    if not shown:
        return figures

    def within(q: date, prefix: str = "") -> Q:
        return Q(
            **{
                f"{prefix}created_at__gte": _aware(q),
                f"{prefix}created_at__lt": _aware(_add_months(q, 3)),
            }
        )

    far = _aware(_add_months(quarters[-1], 3))
    quarter = CaseWhen(
        *[When(within(q), then=Value(i)) for i, q in enumerate(quarters)],
        output_field=IntegerField(),
    )
    closed = CaseWhen(
        *[
            When(within(q) & Q(closed_at__lt=_aware(_add_months(q, 3))), then=Value(True))
            for q in quarters
        ],
        default=Value(False),
        output_field=BooleanField(),
    )
    groups = (
        Case.objects.filter(program=program)
        .filter(_ranges(shown, far))
        .annotate(q=quarter, closed=closed)
        .order_by()
        .values("q", "channel", "urgency", "closed", "outcome", "no_match")
        .annotate(n=Count("pk"))
    )
    for group in groups:
        row, n = figures[quarters[group["q"]]], group["n"]
        for name, key in (("by_channel", group["channel"]), ("by_urgency", group["urgency"])):
            row[name][key] = row[name].get(key, 0) + n
        if group["closed"]:
            row["closed"] += n
            row["outcomes"][group["outcome"]] = row["outcomes"].get(group["outcome"], 0) + n
        if group["no_match"]:
            row["no_match"] += n
    offered = Referral.objects.filter(case__program=program).filter(_ranges(shown, far, "case__"))
    row = offered.aggregate(
        **{
            f"r{i}": Count(
                "case_id",
                distinct=True,
                filter=within(q, "case__") & Q(created_at__lt=_aware(_add_months(q, 3))),
            )
            for i, q in enumerate(quarters)
        }
    )
    for i, q in enumerate(quarters):
        figures[q]["referred"] = row[f"r{i}"]
    return figures


def _outcome_keys() -> list[str]:
    return [*Case.Outcome.values, ""]


def _outcome_label(key: str) -> str:
    return str(Case.Outcome(key).label) if key else _("Not recorded")


def _percentile_bound(within: list[int], n: int, share: float) -> int | None:
    """The first bucket bound within which `share` of the n requests were contacted."""
    needed = math.ceil(n * share)
    for hours, count in zip(WAIT_BOUNDS, within, strict=True):
        if count >= needed:
            return hours
    return None


def _share(key, label, part: Cell, whole: Cell) -> Share:
    if part.suppressed or whole.suppressed or not whole.count:
        return Share(key=key, label=str(label), percent=None)
    return Share(key=key, label=str(label), percent=round(100 * part.count / whole.count))


def _partition(keys, labels, values, k, hide_all=False) -> list[Cell]:
    """A breakdown of a shown total; every cell hidden if no pattern is safe."""
    total = sum(values)
    if not total and not hide_all:
        return _cells(keys, labels, values, [False] * len(values))
    hidden = None if hide_all or total < k else suppress_partition(values, k)
    if hidden is None:
        hidden = [True] * len(values)
    return _cells(keys, labels, values, hidden)


def _alone(key, label, value: int, k: int, hide=False) -> Cell:
    """A count with no published total: hidden from 1 to k-1."""
    hidden = hide or 0 < value < k
    return Cell(key=key, label=str(label), count=None if hidden else value, suppressed=hidden)


def _quarter_build(quarter: date, month_values: dict, figures: dict, topics, k) -> Quarter:
    """One quarter's breakdowns. Its total counts its shown months only (each month is shown
    on its own, so the total gives no hidden month away), and every breakdown partitions
    that total; all of it is fixed once the quarter has ended."""
    values = [month_values.get(m, 0) for m in _quarter_months(quarter)]
    month_hidden = [0 < v < k for v in values]
    total = sum(v for v, h in zip(values, month_hidden, strict=True) if not h)
    channel_keys = list(Channel.values)
    channel_values = [figures["by_channel"].get(c, 0) for c in channel_keys]
    urgency_keys = list(Urgency.values)
    urgency_values = [figures["by_urgency"].get(u, 0) for u in urgency_keys]
    closed = figures["closed"]
    case_values = [total - closed, closed]
    referred = figures.get("referred", 0)
    no_match = figures.get("no_match", 0)
    topic_values = [figures["by_topic"].get(t.pk, 0) for t in topics]

    partitions = [
        channel_values,
        urgency_values,
        case_values,
        [referred, total - referred],
        [no_match, total - no_match],
    ]
    patterns = [suppress_partition(values, k) for values in partitions]
    all_suppressed = total < k or any(p is None for p in patterns)
    if all_suppressed:
        patterns = [[True] * len(values) for values in partitions]
        topic_hidden = [True] * len(topic_values)
    else:
        topic_hidden = suppress_independent(topic_values, k)
    channel_hidden, urgency_hidden, case_hidden, referral_hidden, match_hidden = patterns
    cases = _cells(
        ["open", "closed"],
        [_("Still open at the end of the quarter"), _("Closed or withdrawn by then")],
        case_values,
        case_hidden,
    )
    # Outcomes break down the closed count: only once that count is shown.
    outcome_keys = _outcome_keys()
    outcomes = _partition(
        outcome_keys,
        [_outcome_label(o) for o in outcome_keys],
        [figures.get("outcomes", {}).get(o, 0) for o in outcome_keys],
        k,
        hide_all=cases[1].suppressed,
    )
    total_cell = Cell(
        key="total",
        label=_("All requests"),
        count=None if all_suppressed else total,
        suppressed=all_suppressed,
    )
    referrals = _cells(
        ["offered", "not_offered"],
        [_("Professional help offered"), _("Not offered")],
        [referred, total - referred],
        referral_hidden,
    )
    matching = _cells(
        ["no_match", "matched"],
        [_("No eligible supporter at first"), _("An eligible supporter was found")],
        [no_match, total - no_match],
        match_hidden,
    )
    number = (quarter.month - 1) // 3 + 1
    return Quarter(
        key=f"{quarter.year}-Q{number}",
        label=_("Quarter %(n)s of %(year)s") % {"n": number, "year": quarter.year},
        start=quarter,
        end=_add_months(quarter, 3),
        total=total_cell,
        hidden_months=sum(month_hidden),
        by_topic=_cells([t.slug for t in topics], topics, topic_values, topic_hidden),
        by_channel=_cells(
            channel_keys, [Channel(c).label for c in channel_keys], channel_values, channel_hidden
        ),
        by_urgency=_cells(
            urgency_keys, [Urgency(u).label for u in urgency_keys], urgency_values, urgency_hidden
        ),
        cases=cases,
        outcomes=outcomes,
        referrals=referrals,
        matching=matching,
        shares=[
            _share("referred", _("Professional help offered"), referrals[0], total_cell),
            _share("no_match", _("No eligible supporter at first"), matching[0], total_cell),
        ],
        all_suppressed=all_suppressed,
    )


def report_build(*, program: Program, data: dict, period_end: date) -> Report:
    """Turn raw counts into the shown report. Pure, so it can be tested on any data.

    `data["per_month"]` counts every month (the report's twelve and its quarters' months);
    `data["quarters"]` holds each quarter's raw figures over its shown months only (those
    with at least k); the people figures are as they stand now.
    """
    k = program.report_threshold
    period_start = _add_months(period_end, -REPORT_MONTHS)
    months = [_add_months(period_start, i) for i in range(REPORT_MONTHS)]
    month_values = [data["per_month"].get(m, 0) for m in months]
    month_hidden = [0 < v < k for v in month_values]
    total = sum(v for v, h in zip(month_values, month_hidden, strict=True) if not h)
    all_suppressed = total < k
    total_cell = Cell(
        key="total",
        label=_("All requests"),
        count=None if all_suppressed else total,
        suppressed=all_suppressed,
    )
    quarter_figures = data.get("quarters", {})
    topic_ids = {t for figures in quarter_figures.values() for t in figures["by_topic"]}
    topics = list(
        Topic.objects.filter(
            Q(pk__in=program.topics.values("pk")) | Q(pk__in=list(topic_ids))
        ).order_by("sort_order", "name")
    )
    quarters = [
        _quarter_build(q, data["per_month"], quarter_figures.get(q, _empty_figures()), topics, k)
        for q in report_quarters(period_end)
    ]

    first_contact = []
    for month, value, hidden in zip(months, month_values, month_hidden, strict=True):
        within = data.get("first_contact", {}).get(month)
        shown = not all_suppressed and not hidden and value >= k and within is not None
        first_contact.append(
            Wait(
                key=month.strftime("%Y-%m"),
                label=month.strftime("%Y-%m"),
                shown=shown,
                median=_percentile_bound(within, value, 0.5) if shown else None,
                p90=_percentile_bound(within, value, 0.9) if shown else None,
                empty=value == 0,
            )
        )

    status = SupporterProfile.Status
    supporter_keys = list(status.values)
    supporter_values = [data.get("supporters", {}).get(s, 0) for s in supporter_keys]
    supporters = _partition(
        supporter_keys, [status(s).label for s in supporter_keys], supporter_values, k
    )
    training_keys = ["valid", "expiring", "lapsed"]
    training_values = [data.get("training", {}).get(t, 0) for t in training_keys]
    training = _partition(
        training_keys,
        [
            _("Training valid"),
            _("Training expiring within three months"),
            _("Training lapsed or not complete"),
        ],
        training_values,
        k,
    )
    active = next(c for c in supporters if c.key == status.ACTIVE)
    places = data.get("places", 0)
    capacity = [
        _alone("in_use", _("Cases held by active supporters"), data.get("in_use", 0), k),
        # Places follow from the active supporters' count: shown only with it.
        Cell(
            key="places",
            label=_("Places active supporters offer"),
            count=None if active.suppressed else places,
            suppressed=active.suppressed,
        ),
    ]
    activity_data = data.get("activity", {})
    activity = [
        _alone("debriefs", _("Debriefs asked for"), data.get("debriefs", 0), k),
        _alone("subscribers", _("Newsletter subscribers"), activity_data.get("subscribers", 0), k),
        # Issues are not people: never hidden.
        Cell(
            key="issues_sent",
            label=str(_("Newsletter issues sent")),
            count=activity_data.get("issues_sent", 0),
            suppressed=False,
        ),
    ]
    if "signups" in activity_data:
        activity.append(
            _alone("signups", _("Sign-ups for coming group sessions"), activity_data["signups"], k)
        )
    shares = [_share("capacity", _("Capacity in use"), capacity[0], capacity[1])]

    return Report(
        program=program,
        threshold=k,
        bucket=BUCKET,
        period_start=period_start,
        period_end=period_end,
        total=total_cell,
        per_month=_cells(
            [m.strftime("%Y-%m") for m in months],
            [m.strftime("%Y-%m") for m in months],
            month_values,
            # Months are hidden alone: with no total over hidden months, a month of k or
            # more gives nothing away even when every breakdown is hidden.
            month_hidden,
        ),
        quarters=quarters,
        first_contact=first_contact,
        supporters=supporters,
        training=training,
        capacity=capacity,
        activity=activity,
        shares=shares,
        all_suppressed=all_suppressed,
    )


def program_report(*, program: Program, actor, today: date | None = None) -> Report:
    """Program admins see the last twelve whole months, counts below k hidden. The page,
    its print view, its CSV file and the API all call this."""
    permissions.require(actor, permissions.VIEW_REPORTS, program)
    today = today or timezone.localdate()
    period_end = date(today.year, today.month, 1)
    period_start = _add_months(period_end, -REPORT_MONTHS)
    data = _gather(program, _aware(period_start), _aware(period_end))
    return report_build(program=program, data=data, period_end=period_end)


# ---------------------------------------------------------------- exports


def report_export(*, program: Program, actor, export_format: str) -> Report:
    """The report for an export (a CSV file or the print page), written to the audit trail.
    The page, the print page, the CSV file and the API's CSV all come through here or
    `program_report`."""
    report = program_report(program=program, actor=actor)
    audit_record(
        program=program,
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target=f"report {report.period_start:%Y-%m}/{report.last_month:%Y-%m}",
        data={"format": export_format},
    )
    return report


def report_filename(report: Report) -> str:
    return f"report-{report.program.slug}-{report.period_start:%Y-%m}-{report.last_month:%Y-%m}.csv"


QUARTER_SECTIONS = (
    "by_channel",
    "by_urgency",
    "cases",
    "outcomes",
    "referrals",
    "matching",
    "by_topic",
)
PEOPLE_SECTIONS = ("supporters", "training", "capacity", "activity")


def report_rows(report: Report) -> list[list]:
    """The report as rows: period, section, key, label, count (empty when hidden), hidden.
    The period is a month, a quarter ("2025-Q3"), the twelve months, or "now"."""
    hidden = _("hidden (fewer than %(k)s, or hidden to protect another count)") % {
        "k": report.threshold
    }
    period = f"{report.period_start:%Y-%m}/{report.last_month:%Y-%m}"
    rows = [[period, "total", "total", report.total.label, report.total.count, _yes(report.total)]]
    for cell in report.per_month:
        rows.append([cell.key, "per_month", cell.key, cell.label, cell.count, _yes(cell)])
    for quarter in report.quarters:
        cell = quarter.total
        rows.append([quarter.key, "total", cell.key, cell.label, cell.count, _yes(cell)])
        for section in QUARTER_SECTIONS:
            for cell in getattr(quarter, section):
                rows.append([quarter.key, section, cell.key, cell.label, cell.count, _yes(cell)])
        for share in quarter.shares:
            rows.append(_share_row(quarter.key, share))
    for section in PEOPLE_SECTIONS:
        for cell in getattr(report, section):
            rows.append(["now", section, cell.key, cell.label, cell.count, _yes(cell)])
    for wait in report.first_contact:
        for name, text, hours in (
            ("first_contact_median_hours", wait.median_text, wait.median),
            ("first_contact_p90_hours", wait.p90_text, wait.p90),
        ):
            rows.append(
                [
                    wait.key,
                    name,
                    wait.key,
                    text if wait.shown else _("no requests") if wait.empty else hidden,
                    hours if wait.shown else None,
                    _("no") if wait.shown or wait.empty else _("yes"),
                ]
            )
    for share in report.shares:
        rows.append(_share_row("now", share))
    return rows


def _share_row(period: str, share: Share) -> list:
    hidden = _("yes") if share.percent is None else _("no")
    return [period, "percent", share.key, share.label, share.percent, hidden]


def _yes(cell: Cell) -> str:
    return _("yes") if cell.suppressed else _("no")


def report_csv(report: Report) -> str:
    """The report as a CSV file, every cell neutralised against spreadsheet formulas."""
    preamble = [
        [_("Program"), report.program.name],
        [_("Period"), f"{report.period_start:%Y-%m}", f"{report.last_month:%Y-%m}"],
        [
            _("Hidden counts"),
            _("Counts below %(k)s are hidden, and some larger ones too.") % {"k": report.threshold},
        ],
        [],
    ]
    header = [_("period"), _("section"), _("key"), _("label"), _("count"), _("hidden")]
    body = exports.csv_text(header, report_rows(report))
    head = exports.csv_text(preamble[0], preamble[1:])
    return head + body
