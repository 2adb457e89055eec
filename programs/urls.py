from django.urls import path

from .views import public

app_name = "programs"

urlpatterns = [
    path("p/<slug:slug>/request/", public.request_support, name="request"),
    path("p/<slug:slug>/request/receipt/", public.receipt_download, name="receipt_download"),
    path("p/<slug:slug>/status/", public.request_status, name="status"),
]

from .views import staff  # noqa: E402

urlpatterns += [
    path("me/", staff.home, name="home"),
]

from .views import reports  # noqa: E402

urlpatterns += [
    path("reports/<slug:slug>/", reports.program_report, name="reports"),
]
