"""Aggregate reports for program admins: counts only, small numbers hidden.

What an admin sees, and why it cannot point at a person:

- Only whole months, and only months that have ended: a count never moves while someone
  watches it, and no time finer than a month is shown.
- Each breakdown (per month, channel, urgency, open or closed) is a partition of the
  period's total. A count from 1 to k-1 is hidden (primary suppression). Then, so that a
  hidden count cannot be worked out from the total, more counts are hidden (secondary
  suppression) until no hidden count is pinned: never a single hidden count in a
  breakdown, and never hidden counts that could only all be 1. A zero is hidden only
  when every other count already is; so while any non-zero count is shown, hidden
  counts are at least 1, and otherwise they are at least 0.
- Topics are not a partition (a request may have several), so no topic total is shown
  and only the small topic counts are hidden.
- If the period's total is below k, every count is hidden, zeros included.
- There are no filters: the same fixed report for everyone allowed to see it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Case, Channel, Program, Topic, Urgency

REPORT_MONTHS = 12
BUCKET = "month"


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    count: int | None
    suppressed: bool


@dataclass
class Report:
    program: Program
    threshold: int
    bucket: str
    period_start: date
    period_end: date  # exclusive: the first day of the current month
    total: Cell
    per_month: list[Cell] = field(default_factory=list)
    by_topic: list[Cell] = field(default_factory=list)
    by_channel: list[Cell] = field(default_factory=list)
    by_urgency: list[Cell] = field(default_factory=list)
    cases: list[Cell] = field(default_factory=list)
    all_suppressed: bool = False

    @property
    def last_month(self) -> date:
        return _add_months(self.period_end, -1)


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


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _cells(keys, labels, values, hidden) -> list[Cell]:
    return [
        Cell(key=key, label=str(label), count=None if h else v, suppressed=h)
        for key, label, v, h in zip(keys, labels, values, hidden, strict=True)
    ]


def _gather(program: Program, start: datetime, end: datetime) -> dict:
    """Every partition in one scan of the period's rows, plus one for the topics.

    Conditional counts over plain column comparisons (no per-row month truncation), so the
    database reads each row once and does no function call per row.
    """
    cases = Case.objects.filter(
        program=program, created_at__gte=start, created_at__lt=end
    ).order_by()
    first = start.date() if isinstance(start, datetime) else start
    months = []
    month = date(first.year, first.month, 1)
    while _aware(month) < end:
        months.append(month)
        month = _add_months(month, 1)
    counts = {}
    for i, month in enumerate(months):
        counts[f"m{i}"] = Count(
            "pk",
            filter=Q(created_at__gte=_aware(month), created_at__lt=_aware(months[i + 1]))
            if i + 1 < len(months)
            else Q(created_at__gte=_aware(month)),
        )
    channels, urgencies = list(Channel.values), list(Urgency.values)
    for i, channel in enumerate(channels):
        counts[f"c{i}"] = Count("pk", filter=Q(channel=channel))
    for i, urgency in enumerate(urgencies):
        counts[f"u{i}"] = Count("pk", filter=Q(urgency=urgency))
    counts["closed"] = Count("pk", filter=Q(closed_at__isnull=False, closed_at__lt=end))
    row = cases.aggregate(**counts)
    through = Case.topics.through
    by_topic = {
        row["topic_id"]: row["n"]
        for row in through.objects.filter(
            case__program=program,
            case__created_at__gte=start,
            case__created_at__lt=end,
        )
        .order_by()
        .values("topic_id")
        .annotate(n=Count("pk"))
    }
    return {
        "per_month": {m: row[f"m{i}"] for i, m in enumerate(months) if row[f"m{i}"]},
        "by_channel": {c: row[f"c{i}"] for i, c in enumerate(channels) if row[f"c{i}"]},
        "by_urgency": {u: row[f"u{i}"] for i, u in enumerate(urgencies) if row[f"u{i}"]},
        "closed": row["closed"],
        "by_topic": by_topic,
    }


def report_build(*, program: Program, data: dict, period_end: date) -> Report:
    """Turn raw counts into the shown report. Pure, so it can be tested on any data."""
    k = program.report_threshold
    period_start = _add_months(period_end, -REPORT_MONTHS)
    months = [_add_months(period_start, i) for i in range(REPORT_MONTHS)]
    month_values = [data["per_month"].get(m, 0) for m in months]
    total = sum(month_values)

    channel_keys = list(Channel.values)
    channel_values = [data["by_channel"].get(c, 0) for c in channel_keys]
    urgency_keys = list(Urgency.values)
    urgency_values = [data["by_urgency"].get(u, 0) for u in urgency_keys]
    case_values = [total - data["closed"], data["closed"]]
    topics = list(
        Topic.objects.filter(
            Q(pk__in=program.topics.values("pk")) | Q(pk__in=list(data["by_topic"]))
        ).order_by("sort_order", "name")
    )
    topic_values = [data["by_topic"].get(t.pk, 0) for t in topics]

    partitions = [month_values, channel_values, urgency_values, case_values]
    patterns = [suppress_partition(values, k) for values in partitions]
    all_suppressed = total < k or any(p is None for p in patterns)
    if all_suppressed:
        patterns = [[True] * len(values) for values in partitions]
        topic_hidden = [True] * len(topic_values)
    else:
        topic_hidden = suppress_independent(topic_values, k)
    month_hidden, channel_hidden, urgency_hidden, case_hidden = patterns

    return Report(
        program=program,
        threshold=k,
        bucket=BUCKET,
        period_start=period_start,
        period_end=period_end,
        total=Cell(
            key="total",
            label=_("All requests"),
            count=None if all_suppressed else total,
            suppressed=all_suppressed,
        ),
        per_month=_cells(
            [m.strftime("%Y-%m") for m in months],
            [m.strftime("%Y-%m") for m in months],
            month_values,
            month_hidden,
        ),
        by_topic=_cells([t.slug for t in topics], topics, topic_values, topic_hidden),
        by_channel=_cells(
            channel_keys, [Channel(c).label for c in channel_keys], channel_values, channel_hidden
        ),
        by_urgency=_cells(
            urgency_keys, [Urgency(u).label for u in urgency_keys], urgency_values, urgency_hidden
        ),
        cases=_cells(
            ["open", "closed"],
            [_("Still open"), _("Closed or withdrawn")],
            case_values,
            case_hidden,
        ),
        all_suppressed=all_suppressed,
    )


def program_report(*, program: Program, actor, today: date | None = None) -> Report:
    """Program admins see the last twelve whole months, counts below k hidden."""
    permissions.require(actor, permissions.VIEW_REPORTS, program)
    today = today or timezone.localdate()
    period_end = date(today.year, today.month, 1)
    period_start = _add_months(period_end, -REPORT_MONTHS)
    data = _gather(program, _aware(period_start), _aware(period_end))
    return report_build(program=program, data=data, period_end=period_end)
