import sys

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from .. import outage


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # A database outage raised outside a view (in a middleware, say) still answers 503.
    if isinstance(sys.exc_info()[1], outage.DATABASE_DOWN):
        return outage.outage_response(request)
    # No context processors or database: this must work when everything else is broken.
    return HttpResponseServerError(loader.get_template("500.html").render())
