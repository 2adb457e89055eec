"""Signed-in staff: where each person's work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import permissions


@login_required
def home(request):
    user = request.user
    context = {
        "caseload_programs": permissions.programs_for(user, permissions.HOLD_CASELOAD),
        "triage_programs": permissions.programs_for(user, permissions.TRIAGE),
        "report_programs": permissions.programs_for(user, permissions.VIEW_REPORTS),
        "admin_programs": permissions.programs_with_any(
            user, [permissions.ADMINISTER, permissions.MANAGE_ROSTER]
        ),
        "audit_programs": permissions.programs_for(user, permissions.ADMINISTER),
        "factor_programs": permissions.programs_for(user, permissions.MANAGE_ROSTER),
        # Editors hold no program role; their work is in the Wagtail admin.
        "can_use_admin": user.has_perm("wagtailadmin.access_admin"),
    }
    return render(request, "programs/staff_home.html", context)
