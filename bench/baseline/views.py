"""The baselines: what the same gunicorn, middleware and database do with almost no work.

- bare: no database, a two-byte answer;
- insert: one INSERT of the posted body and a small JSON answer (the intake's yardstick);
- list: the first 50 rows as JSON (the API caseload's yardstick) or as an HTML table from a
  template (the caseload and coordinator pages' yardstick).
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .models import Row

LIST_SIZE = 50


@require_GET
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
@require_POST
def insert(request):
    row = Row.objects.create(body=request.body[:200].decode(errors="replace"))
    return JsonResponse({"id": row.pk}, status=201)


def _rows():
    return list(Row.objects.order_by("pk").values("pk", "body")[:LIST_SIZE])


@require_GET
def list_json(request):
    return JsonResponse({"rows": _rows()})


@require_GET
def list_html(request):
    return render(request, "bench_baseline/list.html", {"rows": _rows()})
