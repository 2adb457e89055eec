"""The requester's pages. No login, no session, no cookie, and no JavaScript needed."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from .. import formtokens, ratelimit, selectors
from ..forms import AcknowledgeForm, ReceiptCodeForm, ReplyForm, SupportRequestForm
from ..services import intake

REQUEST_FORM = "request"
STATUS_FORM = "status"


def _render(request, template, program, context, status=200):
    context = {"program": program, **context}
    return TemplateResponse(request, template, context, status=status)


def rate_limited(request, program):
    return _render(request, "programs/rate_limited.html", program, {}, status=429)


def _apply_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@csrf_exempt  # anonymous pages set no cookie; a signed one-time token guards the form
@never_cache
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "POST"])
def request_support(request, slug):
    program = selectors.program_get_public(slug=slug)
    if request.method == "GET" or request.POST.get("step") != "details":
        return _limits_step(request, program)
    return _details_step(request, program)


def _limits_step(request, program):
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        details = SupportRequestForm(program=program, initial={"acknowledged": True})
        return _render(
            request,
            "programs/request_form.html",
            program,
            {"form": details, "form_token": formtokens.issue(REQUEST_FORM)},
        )
    return _render(request, "programs/request_limits.html", program, {"form": form})


def _details_step(request, program):
    form = SupportRequestForm(request.POST, program=program)
    context = {"form": form, "form_token": request.POST.get("form_token", "")}
    if form.is_bot:
        return _render(request, "programs/request_refused.html", program, {}, status=400)
    if not form.is_valid():
        return _render(request, "programs/request_form.html", program, context, status=400)
    try:
        formtokens.check(request.POST.get("form_token"), REQUEST_FORM)
    except formtokens.Invalid:
        form.add_error(
            None, _("This form has expired. Your answers are still here: please send it again.")
        )
        context["form_token"] = formtokens.issue(REQUEST_FORM)
        return _render(request, "programs/request_form.html", program, context, status=400)
    if not ratelimit.allow("intake", request.client_key):
        return rate_limited(request, program)
    try:
        formtokens.consume(request.POST.get("form_token"), REQUEST_FORM)
    except formtokens.Replayed:
        return _render(request, "programs/request_replayed.html", program, {}, status=409)
    data = form.cleaned_data
    try:
        submission = intake.request_submit(
            program=program,
            message=data["message"],
            topics=data["topics"],
            channel=data["channel"],
            contact_detail=data["contact_detail"],
            alias=data["alias"],
            wants_shared_experience=data["wants_shared_experience"],
            preferred_gender=data["preferred_gender"],
            preferred_language=data["preferred_language"],
            excluded_unit=data.get("excluded_unit"),
            urgency=data["urgency"],
            in_danger=data["in_danger"],
        )
    except ValidationError as exc:
        _apply_service_errors(form, exc)
        context["form_token"] = formtokens.issue(REQUEST_FORM)
        return _render(request, "programs/request_form.html", program, context, status=400)
    return _render(
        request,
        "programs/request_receipt.html",
        program,
        {"receipt_code": submission.receipt_code, "crisis": submission.crisis},
    )


@csrf_exempt
@never_cache
@sensitive_post_parameters()
@require_http_methods(["POST"])
def receipt_download(request, slug):
    """The receipt as a text file, from a POST so the code never appears in a URL."""
    program = selectors.program_get_public(slug=slug)
    code = request.POST.get("receipt_code", "")
    from .. import receipts

    if receipts.normalise(code) is None:
        return _render(
            request, "programs/status.html", program, {"form": ReceiptCodeForm()}, status=400
        )
    body = _(
        "Peer support – %(program)s\n\nYour receipt code: %(code)s\n\n"
        "Keep this code private. Use it on the program's status page to read replies.\n"
        "If you lose it, you can make a new request.\n"
    ) % {"program": program.name, "code": code}
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="peer-support-receipt.txt"'
    return response


@csrf_exempt
@never_cache
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "POST"])
def request_status(request, slug):
    """Type the code, read the conversation, reply or withdraw. The code travels only in POST."""
    program = selectors.program_get_public(slug=slug)
    if request.method == "GET":
        return _render(request, "programs/status.html", program, {"form": ReceiptCodeForm()})
    if not ratelimit.allow("lookup", request.client_key):
        return rate_limited(request, program)
    code_form = ReceiptCodeForm(request.POST)
    support_request = None
    if code_form.is_valid():
        support_request = intake.request_lookup(receipt_code=code_form.cleaned_data["receipt_code"])
    if support_request is None:
        code_form = ReceiptCodeForm()
        return _render(
            request,
            "programs/status.html",
            program,
            {"form": code_form, "not_found": True},
            status=404,
        )

    action = request.POST.get("action", "lookup")
    reply_form = ReplyForm()
    notice = ""
    status = 200
    if action == "reply":
        reply_form = ReplyForm(request.POST)
        if reply_form.is_valid():
            try:
                intake.requester_reply(
                    request=support_request, body=reply_form.cleaned_data["body"]
                )
                reply_form = ReplyForm()
                notice = _("Your reply has been sent.")
            except ValidationError as exc:
                _apply_service_errors(reply_form, exc)
                status = 400
        else:
            status = 400
    elif action == "withdraw-confirm":
        return _render(
            request,
            "programs/status_withdraw.html",
            support_request.program,
            {"receipt_code": code_form.cleaned_data["receipt_code"]},
        )
    elif action == "withdraw":
        intake.requester_withdraw(request=support_request)
        return _render(request, "programs/status_withdrawn.html", support_request.program, {})

    return _render(
        request,
        "programs/status_conversation.html",
        support_request.program,
        {
            "support_request": support_request,
            "messages_list": intake.conversation(request=support_request),
            "receipt_code": code_form.cleaned_data["receipt_code"],
            "reply_form": reply_form,
            "notice": notice,
        },
        status=status,
    )


def quick_exit(request):
    """Leave fast: clear what the browser kept of this site and go somewhere neutral."""
    from django.conf import settings
    from django.http import HttpResponseRedirect

    response = HttpResponseRedirect(settings.TOOLKIT_QUICK_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Cache-Control"] = "no-store"
    return response
