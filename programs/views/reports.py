"""The aggregate report, as a page for program admins, a print-ready page and a CSV file.
The API serves the same report; every export (CSV or print page) is audited."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import charts, permissions, selectors
from ..services import reports


def _program(request, slug):
    return selectors.program_get_for_user(
        user=request.user, slug=slug, perm=permissions.VIEW_REPORTS
    )


def _quarter_sections(quarter) -> list:
    return [
        ("by-channel", _("How people asked to be contacted"), "", quarter.by_channel),
        ("by-urgency", _("How soon people asked to hear back"), "", quarter.by_urgency),
        (
            "cases",
            _("Open and closed at the end of the quarter"),
            "",
            quarter.cases,
        ),
        (
            "outcomes",
            _("Outcomes at closing"),
            _("How the requests closed by the end of the quarter ended, as recorded."),
            quarter.outcomes,
        ),
        (
            "referrals",
            _("Professional help offered"),
            _("Requests where a supporter offered a referral to professional help."),
            quarter.referrals,
        ),
        (
            "matching",
            _("Finding a supporter"),
            _("Requests for which no eligible supporter was free when they came in."),
            quarter.matching,
        ),
        (
            "by-topic",
            _("Topics"),
            _("A request may name several topics, or none, so these do not add up to the total."),
            quarter.by_topic,
        ),
    ]


def _context(report, program, *, printable=False) -> dict:
    k = report.threshold
    topic_desc = _(
        "Requests naming each topic. Topics named fewer than %(k)s times are drawn as a "
        "dashed outline. The table beside the chart gives every number."
    ) % {"k": k}
    quarters = [
        {
            "quarter": quarter,
            "sections": _quarter_sections(quarter),
            "topic_chart": charts.row_chart(quarter.by_topic, k),
            "topic_desc": topic_desc,
        }
        # The newest quarter first.
        for quarter in reversed(report.quarters)
    ]
    sections = [
        (
            "supporters",
            _("Supporters now"),
            _("Everyone on the roster today, by status."),
            report.supporters,
        ),
        (
            "training",
            _("Training of active and paused supporters"),
            _("Expiring means a required training runs out within three months."),
            report.training,
        ),
        ("capacity", _("Capacity in use now"), "", report.capacity),
        ("activity", _("Wellbeing and outreach"), "", report.activity),
    ]
    shown_months = [c for c in report.per_month if not c.suppressed]
    return {
        "report": report,
        "report_program": program,
        "sections": sections,
        "printable": printable,
        "month_chart": charts.column_chart(report.per_month, k),
        "month_desc": _(
            "Requests in each of the last twelve whole months. %(hidden)s of %(months)s "
            "months had fewer than %(k)s requests and are drawn as a dashed outline, not as "
            "zero. The table beside the chart gives every number."
        )
        % {"hidden": report.hidden_months, "months": len(report.per_month), "k": k},
        "quarters": quarters,
        "wait_chart": charts.wait_chart(report.first_contact, list(reports.WAIT_BOUNDS)),
        "wait_desc": _(
            "For each month, the bar reaches the time within which half of the requests had "
            "a first contact from a supporter, and the red line the time for nine in ten. "
            "Months with fewer than %(k)s requests are not shown."
        )
        % {"k": k},
        "shown_months": len(shown_months),
    }


@login_required
@require_GET
def program_report(request, slug):
    program = _program(request, slug)
    report = reports.program_report(program=program, actor=request.user)
    return render(request, "programs/reports.html", _context(report, program))


@login_required
@require_GET
def program_report_print(request, slug):
    """The same report laid out for paper: an admin saves it as PDF from the browser."""
    program = _program(request, slug)
    report = reports.report_export(program=program, actor=request.user, export_format="print")
    return render(request, "programs/reports.html", _context(report, program, printable=True))


@login_required
@require_GET
def program_report_csv(request, slug):
    program = _program(request, slug)
    report = reports.report_export(program=program, actor=request.user, export_format="csv")
    response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reports.report_filename(report)}"'
    response["Cache-Control"] = "no-store"
    return response
