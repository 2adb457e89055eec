from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors or database: this must work when everything else is broken.
    return HttpResponseServerError(loader.get_template("500.html").render())
