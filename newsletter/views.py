"""Subscribe, confirm and unsubscribe: plain form posts, no cookie, no JavaScript.

Like the request form, these pages set no cookie, so they are csrf_exempt: the subscribe
form carries a signed one-time token (privacy.formtokens), and the confirm and unsubscribe
links carry their own secret token, which is all a forged post could not know.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from privacy import anonymous_form, anonymous_route, formtokens, ratelimit
from programs import selectors

from . import services
from .forms import SubscribeForm


def _program(request, slug):
    program = selectors.program_get_public(slug=slug)
    if not selectors.program_pages_visible(program=program, user=request.user):
        raise Http404
    return program


def _purpose(program) -> str:
    return f"newsletter-subscribe:{program.pk}"


def _render(request, template, program, context=None, status=200):
    return TemplateResponse(
        request, template, {"program": program, **(context or {})}, status=status
    )


def _form(request, program, form, status=200):
    return _render(
        request,
        "newsletter/subscribe.html",
        program,
        {"form": form, "form_token": formtokens.issue(_purpose(program))},
        status=status,
    )


@anonymous_form
@require_http_methods(["GET", "POST"])
def subscribe(request, slug):
    program = _program(request, slug)
    if request.method == "GET":
        return _form(request, program, SubscribeForm())
    form = SubscribeForm(request.POST)
    token = request.POST.get("form_token", "")
    try:
        formtokens.consume(token, _purpose(program))
    except formtokens.Expired:
        form.is_valid()
        form.add_error(None, _("This form was open for a long time. Please send it again."))
        return _form(request, program, form, status=400)
    except formtokens.Invalid:
        form.is_valid()
        form.add_error(None, _("Please send the form from this page."))
        return _form(request, program, form, status=400)
    except formtokens.Replayed:
        form.is_valid()
        form.add_error(None, _("This form has already been sent once. Check your inbox."))
        return _form(request, program, form, status=409)
    if not form.is_valid():
        formtokens.release(token, _purpose(program))
        return _form(request, program, form, status=400)
    if not ratelimit.allow("subscribe", request.client_key):
        formtokens.release(token, _purpose(program))
        form.add_error(
            None,
            _("Many sign-ups came from this connection just now. Please try again in an hour."),
        )
        return _form(request, program, form, status=429)
    try:
        services.subscriber_subscribe(program=program, email=form.cleaned_data["email"])
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _form(request, program, form, status=400)
    # The same words whether the address was new, waiting or already subscribed.
    return _render(request, "newsletter/subscribe_sent.html", program)


@anonymous_route
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, slug, token):
    """A GET only shows the button, so a mail scanner opening the link confirms nothing."""
    program = _program(request, slug)
    if request.method == "GET":
        return _render(request, "newsletter/confirm.html", program)
    result = services.subscriber_confirm(program=program, token=token)
    status = 200 if result in ("confirmed", "already") else 400
    return _render(request, "newsletter/confirmed.html", program, {"result": result}, status=status)


@anonymous_route
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, slug, token):
    """GET asks; POST (the button, or a mail client's RFC 8058 one-click post) unsubscribes."""
    program = _program(request, slug)
    if request.method == "GET":
        known = services.subscriber_for_unsubscribe(program=program, token=token) is not None
        return _render(request, "newsletter/unsubscribe.html", program, {"known": known})
    services.subscriber_unsubscribe(program=program, token=token)
    return _render(request, "newsletter/unsubscribed.html", program)
