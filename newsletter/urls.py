from django.urls import path

from . import feeds, views

app_name = "newsletter"

urlpatterns = [
    path("p/<slug:slug>/newsletter/subscribe/", views.subscribe, name="subscribe"),
    path("p/<slug:slug>/newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("p/<slug:slug>/newsletter/u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("p/<slug:slug>/newsletter/rss/", feeds.IssuesFeed(), name="rss"),
    path("p/<slug:slug>/newsletter/atom/", feeds.AtomIssuesFeed(), name="atom"),
]
