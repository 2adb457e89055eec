from django.urls import path

from .views import directory, public

app_name = "programs"

urlpatterns = [
    path("p/<slug:slug>/request/", public.request_support, name="request"),
    path("p/<slug:slug>/request/receipt/", public.receipt_download, name="receipt_download"),
    path("p/<slug:slug>/status/", public.request_status, name="status"),
    # Safety plan and the person's own copy (issue 15, issue 14 item 5)
    path("p/<slug:slug>/status/plan/", public.request_plan, name="status_plan"),
    path("p/<slug:slug>/status/copy/", public.request_copy, name="status_copy"),
    path("p/<slug:slug>/help/", directory.help_directory, name="help_directory"),
]

from .views import staff  # noqa: E402

urlpatterns += [
    path("me/", staff.home, name="home"),
]

from .views import reports  # noqa: E402

urlpatterns += [
    path("reports/<slug:slug>/", reports.program_report, name="reports"),
    path("reports/<slug:slug>/print/", reports.program_report_print, name="reports_print"),
    path("reports/<slug:slug>/report.csv", reports.program_report_csv, name="reports_csv"),
]

from .views import audit  # noqa: E402

urlpatterns += [
    path("audit/<slug:slug>/", audit.program_audit, name="audit"),
]

from .views import caseload, coordinator  # noqa: E402

urlpatterns += [
    path("caseload/", caseload.index, name="caseload"),
    path("caseload/cases/<uuid:case_id>/", caseload.case_detail, name="caseload_case"),
    path("caseload/cases/<uuid:case_id>/accept/", caseload.case_accept, name="caseload_accept"),
    path("caseload/cases/<uuid:case_id>/decline/", caseload.case_decline, name="caseload_decline"),
    path("caseload/cases/<uuid:case_id>/reply/", caseload.case_reply, name="caseload_reply"),
    path("caseload/cases/<uuid:case_id>/note/", caseload.case_note, name="caseload_note"),
    path("caseload/cases/<uuid:case_id>/refer/", caseload.case_refer, name="caseload_refer"),
    path(
        "caseload/cases/<uuid:case_id>/handover/",
        caseload.case_handover,
        name="caseload_handover",
    ),
    path("caseload/cases/<uuid:case_id>/close/", caseload.case_close, name="caseload_close"),
    path("caseload/cases/<uuid:case_id>/status/", caseload.case_status, name="caseload_status"),
    path("caseload/cases/<uuid:case_id>/plan/", caseload.case_plan, name="caseload_plan"),
    path("caseload/training/", caseload.training_list, name="caseload_training"),
    path(
        "caseload/training/<int:requirement_id>/complete/",
        caseload.training_complete,
        name="caseload_training_complete",
    ),
    path("caseload/wellbeing/", caseload.wellbeing, name="caseload_wellbeing"),
    path(
        "caseload/wellbeing/<int:profile_id>/pause/",
        caseload.wellbeing_pause,
        name="caseload_pause",
    ),
    path(
        "caseload/wellbeing/<int:profile_id>/debrief/",
        caseload.wellbeing_debrief,
        name="caseload_debrief",
    ),
    path("coordinate/<slug:slug>/", coordinator.index, name="coordinate"),
    path(
        "coordinate/<slug:slug>/requests/<uuid:case_id>/",
        coordinator.request_detail,
        name="coordinate_request",
    ),
    path(
        "coordinate/<slug:slug>/requests/<uuid:case_id>/assign/",
        coordinator.request_assign,
        name="coordinate_assign",
    ),
    path(
        "coordinate/<slug:slug>/requests/<uuid:case_id>/reply/",
        coordinator.request_reply,
        name="coordinate_reply",
    ),
    path(
        "coordinate/<slug:slug>/supporters/<int:supporter_id>/debrief-done/",
        coordinator.debrief_done,
        name="coordinate_debrief_done",
    ),
]
