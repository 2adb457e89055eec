from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views
from .cms import router as cms_router
from .exceptions import not_found

app_name = "api"

v1 = [
    # Anonymous requester and public
    path("programs/<slug:slug>/requests/", views.ProgramRequestsView.as_view(), name="requests"),
    path("programs/<slug:slug>/intake-form/", views.IntakeFormView.as_view(), name="intake_form"),
    path("programs/<slug:slug>/resources/", views.ResourcesView.as_view(), name="resources"),
    path("requests/lookup/", views.RequestLookupView.as_view(), name="request_lookup"),
    path("requests/messages/", views.RequestMessagesView.as_view(), name="request_messages"),
    path("requests/withdraw/", views.RequestWithdrawView.as_view(), name="request_withdraw"),
    # Safety plan and the requester's own copy (issue 15, issue 14 item 5)
    path("requests/plan/", views.RequestPlanView.as_view(), name="request_plan"),
    path("requests/copy/", views.RequestCopyView.as_view(), name="request_copy"),
    path("cases/<uuid:case_id>/plan/", views.CasePlanView.as_view(), name="case_plan"),
    # Supporters
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("cases/<uuid:case_id>/", views.CaseDetailView.as_view(), name="case"),
    path("cases/<uuid:case_id>/messages/", views.CaseMessagesView.as_view(), name="case_messages"),
    path("cases/<uuid:case_id>/notes/", views.CaseNotesView.as_view(), name="case_notes"),
    path("cases/<uuid:case_id>/accept/", views.CaseAcceptView.as_view(), name="case_accept"),
    path("cases/<uuid:case_id>/decline/", views.CaseDeclineView.as_view(), name="case_decline"),
    path("cases/<uuid:case_id>/status/", views.CaseStatusView.as_view(), name="case_status"),
    path("cases/<uuid:case_id>/refer/", views.CaseReferView.as_view(), name="case_refer"),
    path("cases/<uuid:case_id>/handover/", views.CaseHandoverView.as_view(), name="case_handover"),
    path("cases/<uuid:case_id>/close/", views.CaseCloseView.as_view(), name="case_close"),
    # Coordinators and admins
    path("cases/<uuid:case_id>/assign/", views.CaseAssignView.as_view(), name="case_assign"),
    path("programs/", views.ProgramListView.as_view(), name="programs"),
    path("programs/<slug:slug>/roster/", views.RosterView.as_view(), name="roster"),
    path(
        "programs/<slug:slug>/roster/<int:entry_id>/",
        views.RosterEntryView.as_view(),
        name="roster_entry",
    ),
    path("programs/<slug:slug>/queue/", views.QueueView.as_view(), name="queue"),
    path("programs/<slug:slug>/reports/", views.ReportView.as_view(), name="reports"),
    path("programs/<slug:slug>/audit/", views.AuditView.as_view(), name="audit"),
    # Tokens
    path("auth/tokens/", views.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<int:pk>/", views.TokenDetailView.as_view(), name="token"),
    re_path(r"^.*$", not_found),
]

urlpatterns = [
    path("v1/", include(v1)),  # first: the anonymous intake is its first route
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("cms/", include((cms_router.get_urlpatterns(), "cms"), namespace="cms")),
]
