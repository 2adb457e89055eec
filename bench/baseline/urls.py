from django.urls import path

from . import views

urlpatterns = [
    path("bare/", views.bare),
    path("insert/", views.insert),
    path("list/", views.list_json),
    path("list.html", views.list_html),
]
