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

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
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


# Whole past months, cached per program. What a month's cases are counted by is fixed once
# the month has ended: the month a request was made in (`created_at`) and its topics are
# set at intake and never change, and the purge keeps them (it cuts times to the start of
# the same month). So a past month's count and topic counts are
# cached (the topics are the costly part: a join). Urgency is not: a requester's later
# message can raise an open request to urgent. Nor is the open/closed split, counted at the
# end of the period, which moves with it. Those, and the channels (cheaper counted in that
# scan than cached month by month), come from one fresh scan every time.
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


def _gather(program: Program, start: datetime, end: datetime) -> dict:
    """Every partition in one scan of the period's rows, plus one for the topics; months
    already cached are not counted again (then the topics are not read at all).

    Conditional counts over plain column comparisons (no per-row month truncation), so the
    database reads each row once and does no function call per row.
    """
    cases = Case.objects.filter(
        program=program, created_at__gte=start, created_at__lt=end
    ).order_by()
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

    channels, urgencies = list(Channel.values), list(Urgency.values)
    counts = {f"c{i}": Count("pk", filter=Q(channel=c)) for i, c in enumerate(channels)}
    counts.update({f"u{i}": Count("pk", filter=Q(urgency=u)) for i, u in enumerate(urgencies)})
    counts["closed"] = Count("pk", filter=Q(closed_at__isnull=False, closed_at__lt=end))
    for i, month in enumerate(missing):
        counts[f"m{i}"] = Count("pk", filter=_month_range(month, end))
    # One scan: the months not cached, channels, urgency and closures.
    row = cases.aggregate(**counts)
    fresh = {m: {"n": row[f"m{i}"], "topics": {}} for i, m in enumerate(missing)}
    if missing:
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
    per_month = {**cached, **fresh}
    by_topic: dict[int, int] = {}
    for entry in per_month.values():
        for topic_id, n in entry["topics"].items():
            by_topic[topic_id] = by_topic.get(topic_id, 0) + n
    return {
        "per_month": {m: per_month[m]["n"] for m in months if per_month[m]["n"]},
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
