"""The site's own routes plus the baseline: a view that does one INSERT and nothing else."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def one_insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_row (body) VALUES (%s)", [request.body[:200].decode()])
    return HttpResponse(status=201)


urlpatterns = [
    path("bench/insert/", one_insert),
    path("", include("toolkit.urls")),
]
