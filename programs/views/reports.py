"""The aggregate report, as a page for program admins. The API serves the same report."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import permissions, selectors
from ..services import reports


@login_required
@require_GET
def program_report(request, slug):
    program = selectors.program_get_for_user(
        user=request.user, slug=slug, perm=permissions.VIEW_REPORTS
    )
    report = reports.program_report(program=program, actor=request.user)
    sections = [
        ("per-month", report.per_month),
        ("by-channel", report.by_channel),
        ("by-urgency", report.by_urgency),
        ("cases", report.cases),
        ("by-topic", report.by_topic),
    ]
    return render(
        request,
        "programs/reports.html",
        {"report": report, "report_program": program, "sections": sections},
    )
