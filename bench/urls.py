"""The site's own routes plus the baselines (bench/baseline), mounted only here."""

from django.urls import include, path

from bench.baseline import views as baseline

urlpatterns = [
    path("bench-baseline/", include("bench.baseline.urls")),
    path("bench/insert/", baseline.insert),  # bench/outage.py's name for it
    path("", include("toolkit.urls")),
]
