"""Reports: each new measure just below and at k, the charts, the CSV file, the print page,
and who may export."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Subscriber
from programs.models import (
    AuditEntry,
    Case,
    Message,
    Referral,
    SupporterProfile,
    Topic,
)
from programs.services import reports
from tests.factories import make_active_supporter, submit_request, train_fully

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _last_month():
    return reports._add_months(timezone.localdate().replace(day=1), -1)


def _requests(program, n, month=None, **kwargs) -> list[Case]:
    month = month or _last_month()
    moment = timezone.make_aware(datetime(month.year, month.month, 10, 9))
    made = [submit_request(program, **kwargs).case for _ in range(n)]
    Case.objects.filter(pk__in=[c.pk for c in made]).update(
        created_at=moment, requester_seen_at=moment
    )
    return made


def _quarter_month():
    """The last month of the last quarter that has ended: its breakdowns are shown."""
    period_end = timezone.localdate().replace(day=1)
    return reports._add_months(reports.report_quarters(period_end)[-1], 2)


def _report(program, admin):
    return reports.program_report(program=program, actor=admin)


def _quarter(program, admin):
    return _report(program, admin).quarters[-1]


def _cell(cells, key):
    return next(c for c in cells if c.key == key)


@pytest.fixture
def k(program):
    return program.report_threshold


# ---------------------------------------------------------------- each measure around k


@pytest.mark.parametrize("extra", [-1, 0])
def test_outcomes_at_closing_are_hidden_below_k(program, admin, k, extra):
    made = _requests(program, 4 * k, month=_quarter_month())
    closed_at = reports._aware(_quarter_month()) + timedelta(days=12)
    supported = [c.pk for c in made[: k + extra]]
    other = [c.pk for c in made[k + extra : 2 * k + 2]]
    Case.objects.filter(pk__in=supported).update(
        status="closed", outcome="supported", closed_at=closed_at
    )
    Case.objects.filter(pk__in=other).update(status="closed", outcome="other", closed_at=closed_at)
    cell = _cell(_quarter(program, admin).outcomes, "supported")
    assert (cell.suppressed, cell.count) == ((True, None) if extra < 0 else (False, k))


@pytest.mark.parametrize("extra", [-1, 0])
def test_professional_help_offered_and_its_share(program, admin, k, extra):
    made = _requests(program, 2 * k, month=_quarter_month())
    offered_at = reports._aware(_quarter_month()) + timedelta(days=12)
    for case in made[: k + extra]:
        Referral.objects.create(case=case, kind="eap", created_at=offered_at)
        # One case, counted once.
        Referral.objects.create(case=case, kind="crisis", created_at=offered_at)
    report = _quarter(program, admin)
    offered = _cell(report.referrals, "offered")
    share = next(s for s in report.shares if s.key == "referred")
    if extra < 0:
        assert offered.suppressed and share.percent is None
    else:
        assert offered.count == k and share.percent == 50


@pytest.mark.parametrize("extra", [-1, 0])
def test_requests_with_no_eligible_supporter(program, admin, k, extra):
    made = _requests(program, 2 * k, month=_quarter_month())
    Case.objects.filter(pk__in=[c.pk for c in made[: k + extra]]).update(no_match=True)
    cell = _cell(_quarter(program, admin).matching, "no_match")
    assert cell.count == (None if extra < 0 else k)


@pytest.mark.parametrize("extra", [-1, 0])
def test_time_to_first_contact_is_shown_only_for_months_of_k_requests(program, admin, k, extra):
    made = _requests(program, k + extra)
    for i, case in enumerate(made):
        case.refresh_from_db()
        hours = 3 if i < (k + extra) // 2 + 1 else 30
        Message.objects.create(
            case=case,
            sender="supporter",
            body="Hello",
            created_at=case.created_at + timedelta(hours=hours),
        )
    wait = _report(program, admin).first_contact[-1]
    if extra < 0:
        assert not wait.shown and wait.median is None
    else:
        assert wait.shown and (wait.median, wait.p90) == (4, 48)
        assert wait.median_text == "within 4 hours"


def test_a_request_never_contacted_counts_as_the_longest_wait(program, admin, k):
    made = _requests(program, k)
    case = made[0]
    case.refresh_from_db()
    Message.objects.create(
        case=case, sender="supporter", body="Hi", created_at=case.created_at + timedelta(hours=1)
    )
    wait = _report(program, admin).first_contact[-1]
    assert wait.shown and wait.median is None
    assert wait.median_text == "more than two weeks, or not yet"


def _supporters(program, n, **fields):
    made = []
    for i in range(n):
        made.append(make_active_supporter(program, email=f"peer{i}-{n}@example.org", **fields))
    return made


def _count_of(program, status):
    return SupporterProfile.objects.filter(program=program, status=status).count()


@pytest.mark.parametrize("extra", [-1, 0])
def test_supporters_active_paused_in_training(program, admin, k, extra):
    have = _count_of(program, "paused")
    made = _supporters(program, 2 * k)
    SupporterProfile.objects.filter(pk__in=[p.pk for p in made[: k + extra - have]]).update(
        status="paused"
    )
    report = _report(program, admin)
    assert _cell(report.supporters, "paused").count == (None if extra < 0 else k)


@pytest.mark.parametrize("extra", [-1, 0])
def test_training_currency_counts_expiring_training(program, admin, k, extra):
    SupporterProfile.objects.filter(program=program).update(status="retired")
    made = _supporters(program, 2 * k + 2)
    for profile in made[: k + extra]:
        train_fully(profile, expires_in_days=30)
    report = _report(program, admin)
    assert _cell(report.training, "expiring").count == (None if extra < 0 else k)
    if extra == 0:
        assert _cell(report.training, "valid").count == k + 2


@pytest.mark.parametrize("extra", [-1, 0])
def test_capacity_in_use(program, admin, k, extra):
    SupporterProfile.objects.filter(program=program).update(status="retired")
    made = _supporters(program, k, max_active_cases=2)
    cases = _requests(program, k + extra)
    for case, profile in zip(cases, made, strict=False):
        Case.objects.filter(pk=case.pk).update(status="active", assigned_to=profile)
    report = _report(program, admin)
    in_use, places = report.capacity
    share = next(s for s in report.shares if s.key == "capacity")
    assert places.count == 2 * k
    if extra < 0:
        assert in_use.suppressed and share.percent is None
    else:
        assert in_use.count == k and share.percent == 50


@pytest.mark.parametrize("extra", [-1, 0])
def test_debriefs_asked_for(program, admin, k, extra):
    made = _supporters(program, k + extra)
    SupporterProfile.objects.filter(pk__in=[p.pk for p in made]).update(
        debrief_requested_at=timezone.now() - timedelta(days=40)
    )
    assert _cell(_report(program, admin).activity, "debriefs").count == (None if extra < 0 else k)


@pytest.mark.parametrize("extra", [-1, 0])
def test_newsletter_subscribers_are_counted_and_small_counts_hidden(program, admin, k, extra):
    for i in range(k + extra):
        Subscriber.objects.create(
            program=program,
            email_digest=f"{i:064d}",
            unsubscribe_token=f"t{i}",
            unsubscribe_digest=f"{i:064x}",
            confirmed_at=timezone.now(),
        )
    activity = _report(program, admin).activity
    assert _cell(activity, "subscribers").count == (None if extra < 0 else k)
    assert _cell(activity, "issues_sent").count == 0


def test_other_apps_add_their_counts_through_the_signal(program, admin, k):
    from programs import signals

    def receiver(sender, program, start, end, **kwargs):
        return {"signups": k - 1}

    signals.report_counts.connect(receiver, dispatch_uid="test-signups")
    try:
        cell = _cell(_report(program, admin).activity, "signups")
    finally:
        signals.report_counts.disconnect(dispatch_uid="test-signups")
    assert cell.suppressed


# ---------------------------------------------------------------- charts


def _svgs(body: str) -> dict[str, ET.Element]:
    found = {}
    for svg in re.findall(r"<svg\b.*?</svg>", body, flags=re.S):
        root = ET.fromstring(svg)  # noqa: S314 (our own page) valid XML, or this raises
        title = root.find(f"{SVG}title")
        found[title.text] = root
    return found


def test_charts_are_valid_svg_with_a_title_and_hidden_months_drawn_as_such(
    client, program, admin, k
):
    _requests(program, k + 3)
    _requests(program, 2, month=reports._add_months(_last_month(), -2))
    client.force_login(admin)
    body = client.get(reverse("programs:reports", args=[program.slug])).content.decode()
    charts = _svgs(body)
    assert set(charts) == {"Requests per month", "Time to a first contact", "Topics"}
    months = charts["Requests per month"]
    assert months.get("role") == "img"
    assert months.find(f"{SVG}desc").text.startswith("Requests in each")
    hidden = [g for g in months.iter(f"{SVG}g") if "chart-bar--hidden" in g.get("class")]
    assert len(hidden) == 1
    rect = hidden[0].find(f"{SVG}rect")
    assert rect.get("fill") == "none" and float(rect.get("height")) > 0  # not a zero bar
    assert f"< {k}" in "".join(hidden[0].itertext())
    waits = charts["Time to a first contact"]
    hidden_waits = [g for g in waits.iter(f"{SVG}g") if "chart-bar--hidden" in g.get("class")]
    assert len(hidden_waits) == 1  # months with no requests are drawn as 0, not hidden
    # The numbers are in a table beside the chart, in words for the hidden month.
    assert f"fewer than {k}" in body
    assert "<script" not in body.split("<main", 1)[-1]


# ---------------------------------------------------------------- exports

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTab",
    "\rReturn",
    "=cmd|' /C calc'!A0",
]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_file_neutralises_every_formula_an_admin_could_type(client, program, admin, k):
    program.name = FORMULAS[0]
    program.save(update_fields=["name"])
    topics = []
    for i, payload in enumerate(FORMULAS):
        topic = Topic.objects.create(slug=f"payload-{i}", name=payload, sort_order=1)
        program.topics.add(topic)
        topics.append(topic)
    _requests(program, k, topics=topics, month=_quarter_month())
    client.force_login(admin)
    response = client.get(reverse("programs:reports_csv", args=[program.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response.content.decode())
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for payload in FORMULAS:
        assert "'" + payload in cells
    topic_rows = {row[3]: row[4] for row in rows if len(row) > 1 and row[1] == "by_topic"}
    assert topic_rows["'" + FORMULAS[1]] == str(k)


@pytest.mark.parametrize(
    "name,fmt", [("programs:reports_csv", "csv"), ("programs:reports_print", "print")]
)
def test_every_export_is_audited(client, program, admin, name, fmt):
    client.force_login(admin)
    assert client.get(reverse(name, args=[program.slug])).status_code == 200
    entry = AuditEntry.objects.get(program=program, action=AuditEntry.Action.EXPORT)
    assert entry.actor == admin and entry.data == {"format": fmt}
    assert entry.target.startswith("report ")


def test_reading_the_report_page_is_not_an_export(client, program, admin):
    client.force_login(admin)
    client.get(reverse("programs:reports", args=[program.slug]))
    assert not AuditEntry.objects.filter(program=program, action=AuditEntry.Action.EXPORT).exists()


def test_the_print_page_has_the_figures_and_no_download_buttons(client, program, admin):
    client.force_login(admin)
    body = client.get(reverse("programs:reports_print", args=[program.slug])).content.decode()
    assert "Save as PDF" in body
    assert "Download as CSV" not in body
    assert "Requests per month" in body


@pytest.mark.parametrize("name", ["programs:reports_print", "programs:reports_csv"])
@pytest.mark.parametrize("role", ["coordinator", "supporter", "other_program_admin", "outsider"])
def test_exports_are_not_found_for_anyone_else_and_not_audited(
    request, client, program, role, name
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name, args=[program.slug])).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


@pytest.mark.parametrize("name", ["programs:reports_print", "programs:reports_csv"])
def test_exports_ask_anonymous_visitors_to_sign_in(client, program, name):
    response = client.get(reverse(name, args=[program.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
