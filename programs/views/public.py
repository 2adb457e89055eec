"""The requester's pages. No login, no session, no cookie, and no JavaScript needed.

Each page is a plain form post. The receipt code only ever travels in a POST body, never
in a URL. Anonymous forms are csrf_exempt because they set no cookie; a signed one-time
token (privacy.formtokens) guards them instead.
"""

import functools
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from privacy import anonymous_form, formtokens, ratelimit, receipts

from .. import selectors
from ..forms import (
    AcknowledgeForm,
    IntakeForm,
    ReceiptCodeForm,
    ReplyForm,
    add_service_errors,
)
from ..plan_forms import PlanForm
from ..services import intake, plans

REPLY_FORM = "reply"


def _request_form_purpose(program) -> str:
    return f"request:{program.pk}"


def _render(request, template, program, context, status=200):
    return TemplateResponse(request, template, {"program": program, **context}, status=status)


def _client_key(request) -> str:
    return getattr(request, "client_key", "")


def _rate_limited_message() -> str:
    return _(
        "A lot of requests have reached us from your connection, or from everyone, in the "
        "last few minutes. Please wait a little and try again. Nothing you wrote has been "
        "sent or lost."
    )


@anonymous_form
@require_http_methods(["GET", "POST"])
def request_support(request, slug):
    """Limits first, then the form, then the receipt code, all at one address."""
    program = selectors.program_get_public(slug=slug, memo=True)
    if request.method == "POST" and request.POST.get("step") == "details":
        # If the program closed while the form was open, the service refuses it and the
        # answers come back, so nothing the requester wrote is lost (and nothing is kept).
        return _details_step(request, program)
    if not program.accepts_requests:
        # Getting ready or closed: a calm word and the crisis lines, no form.
        status = 409 if request.method == "POST" else 200
        return _render(request, "programs/request_not_open.html", program, {}, status=status)
    return _limits_step(request, program)


def _limits_step(request, program, *, must_read=False):
    posted = request.method == "POST" and not must_read
    form = AcknowledgeForm(request.POST if posted else None)
    if posted and form.is_valid():
        return _form_page(
            request,
            program,
            IntakeForm(program=program),
            formtokens.issue(_request_form_purpose(program)),
        )
    status = 400 if posted or must_read else 200
    return _render(
        request,
        "programs/request_limits.html",
        program,
        {
            "form": form,
            "must_read": must_read,
            "other_help": selectors.help_resources(program=program, exclude_crisis=True),
        },
        status=status,
    )


def _form_page(request, program, form, token, status=200):
    return _render(
        request,
        "programs/request_form.html",
        program,
        {"form": form, "form_token": token},
        status=status,
    )


def _details_step(request, program):
    purpose = _request_form_purpose(program)
    token = request.POST.get("form_token", "")
    form = IntakeForm(request.POST, program=program)
    if form.is_bot:
        return _render(request, "programs/request_refused.html", program, {}, status=400)
    try:
        checked = formtokens.check(token, purpose)
    except formtokens.Expired:
        form.is_valid()
        form.add_error(
            None,
            _(
                "This form was open for a long time, so it has expired. Your answers are "
                "still here: please check them and send the form again."
            ),
        )
        return _form_page(request, program, form, formtokens.issue(purpose), status=400)
    except formtokens.Invalid:
        # Nothing shows the limits were read: show them first.
        return _limits_step(request, program, must_read=True)
    if not form.is_valid():
        return _form_page(request, program, form, token, status=400)
    try:
        # One transaction, so one commit: the token's use, the case, its task and the
        # counts. A refusal (replayed, limited, invalid) keeps none of them.
        submission = intake.case_submit(
            program=program,
            client_key=_client_key(request),
            form_token=checked,
            **form.service_arguments(),
        )
    except formtokens.Replayed:
        form.add_error(
            None,
            _(
                "This form has already been sent once. If you saw a receipt code, your "
                "request arrived and you do not need to send it again. If you did not see "
                "one, check your answers below and send them again."
            ),
        )
        return _form_page(request, program, form, formtokens.issue(purpose), status=409)
    except ratelimit.RateLimited:
        return _intake_limited(request, program, form, formtokens.issue(purpose))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _form_page(request, program, form, formtokens.issue(purpose), status=400)
    return _ReceiptResponse(
        request,
        program,
        {
            "receipt_code": submission.receipt_code,
            "crisis": submission.crisis,
            "status_url": _status_url(request, program),
        },
    )


# The receipt page, rendered once per remembered program (a change to the program, its
# crisis lines or help reads it anew, see selectors.program_get_public), language, status
# address and crisis answer, with a stand-in where the code goes; each receipt fills in its
# own code. Nothing about the requester is in the key, and no code is kept.
_receipt_pages: dict[tuple, str] = {}
RECEIPT_PAGES_KEPT = 64
_CODE_STAND_IN = f"receiptcode{secrets.token_hex(16)}"


def _status_url(request, program) -> str:
    """The full address of the program's status page, where a receipt code is used."""
    return request.build_absolute_uri(
        _status_path(program.slug, get_script_prefix(), settings.ROOT_URLCONF)
    )


@functools.lru_cache(maxsize=256)
def _status_path(slug: str, script_prefix: str, urlconf: str) -> str:
    # Kept: the path depends on these alone (only an existing program's slug gets here).
    return reverse("programs:status", args=[slug])


class _ReceiptResponse(TemplateResponse):
    def __init__(self, request, program, context):
        super().__init__(request, "programs/request_receipt.html", {"program": program, **context})
        read_at = getattr(program, "memo_read_at", None)
        self._page_key = (
            None
            if read_at is None or request.user.is_authenticated
            else (
                program.pk,
                read_at,
                translation.get_language(),
                context["status_url"],
                bool(context["crisis"]),
            )
        )

    @property
    def rendered_content(self):
        if self._page_key is None:
            return super().rendered_content
        page = _receipt_pages.get(self._page_key)
        if page is None:
            template = self.resolve_template(self.template_name)
            page = template.render(
                {**self.context_data, "receipt_code": _CODE_STAND_IN}, self._request
            )
            if _CODE_STAND_IN not in page:
                return super().rendered_content
            if len(_receipt_pages) >= RECEIPT_PAGES_KEPT:
                _receipt_pages.clear()
            _receipt_pages[self._page_key] = page
        return page.replace(_CODE_STAND_IN, escape(self.context_data["receipt_code"]))


def _intake_limited(request, program, form, token):
    """Held back by the rate limit: crisis lines first, a calm word, the answers kept."""
    data = form.cleaned_data
    seconds = ratelimit.seconds_left("intake")
    response = _render(
        request,
        "programs/request_limited.html",
        program,
        {
            "form": form,
            "form_token": token,
            "crisis": intake.crisis_detected(
                program=program, text=data.get("message", ""), in_danger=data.get("in_danger")
            ),
            "minutes_left": max(1, -(-seconds // 60)),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@anonymous_form
@require_POST
def receipt_download(request, slug):
    """The receipt as a text file, from a POST so the code never appears in a URL."""
    program = selectors.program_get_public(slug=slug)
    canonical = receipts.normalise(request.POST.get("receipt_code", ""))
    if canonical is None:
        return _render(
            request,
            "programs/status.html",
            program,
            {"form": ReceiptCodeForm(), "not_found": True, "kept": False},
            status=400,
        )
    status_url = _status_url(request, program)
    body = _(
        "Peer support: %(program)s\n\n"
        "Your receipt code: %(code)s\n\n"
        "Keep this code private. To read replies, answer or withdraw your request, go to\n"
        "%(url)s\nand type the code.\n\n"
        "If you lose the code, make a new request: we cannot look it up for you.\n"
    ) % {"program": program.name, "code": receipts.pretty(canonical), "url": status_url}
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="peer-support-receipt.txt"'
    return response


@anonymous_form
@require_http_methods(["GET", "POST"])
def request_status(request, slug):
    """Type the code, read the conversation, reply or withdraw. The code travels only in POST."""
    program = selectors.program_get_public(slug=slug)
    if request.method == "GET":
        return _render(
            request,
            "programs/status.html",
            program,
            {"form": ReceiptCodeForm(), "kept": "kept" in request.GET, "not_found": False},
        )
    try:
        case = intake.case_lookup(
            receipt_code=request.POST.get("receipt_code", ""), client_key=_client_key(request)
        )
    except ratelimit.RateLimited:
        return _render(
            request,
            "programs/rate_limited.html",
            program,
            {"form": ReceiptCodeForm(), "message": _rate_limited_message()},
            status=429,
        )
    if case is None:
        # One answer for unknown, malformed, withdrawn and expired codes.
        return _render(
            request,
            "programs/status.html",
            program,
            {"form": ReceiptCodeForm(), "not_found": True, "kept": False},
            status=404,
        )
    code = receipts.pretty(receipts.normalise(request.POST["receipt_code"]))
    action = request.POST.get("action", "lookup")
    if action == "withdraw-confirm":
        return _render(
            request,
            "programs/status_withdraw.html",
            case.program,
            {"receipt_code": code},
        )
    if action == "withdraw":
        try:
            intake.requester_withdraw(case=case)
        except ValidationError as exc:
            return _conversation(request, case, code, errors=exc.messages, status=400)
        return _render(request, "programs/status_withdrawn.html", case.program, {})
    if action == "reply":
        return _reply(request, case, code)
    return _conversation(request, case, code)


def _reply(request, case, code):
    form = ReplyForm(request.POST)
    token = request.POST.get("form_token", "")
    form.is_valid()
    try:
        formtokens.consume(token, REPLY_FORM)
    except formtokens.Replayed:
        return _conversation(
            request,
            case,
            code,
            notice=_("That reply had already been sent, so it was not sent twice."),
        )
    except formtokens.Invalid:
        form.add_error(
            None,
            _(
                "This page was open for a long time. Your reply is still here: "
                "please send it again."
            ),
        )
        return _conversation(request, case, code, reply_form=form, status=400)
    try:
        reply = intake.requester_reply(case=case, body=form.cleaned_data.get("body", ""))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _conversation(request, case, code, reply_form=form, status=400)
    return _conversation(
        request, case, code, notice=_("Your reply has been sent."), crisis=reply.crisis
    )


def _conversation(
    request,
    case,
    code,
    *,
    reply_form=None,
    notice="",
    crisis=False,
    errors=(),
    status=200,
):
    view = selectors.requester_status(case=case)
    return _render(
        request,
        "programs/status_conversation.html",
        case.program,
        {
            "case": case,
            "view": view,
            "messages_list": view["messages"],
            "closed": view["closed"],
            "receipt_code": code,
            "reply_form": reply_form or ReplyForm(),
            "reply_token": formtokens.issue(REPLY_FORM),
            "notice": notice,
            "crisis": crisis,
            "errors": errors,
            "deletes_on": plans.deletion_date(case),
        },
        status=status,
    )


@require_GET
def quick_exit(request):
    """Leave fast: clear what the browser kept of this site and go somewhere neutral."""
    response = HttpResponseRedirect(settings.TOOLKIT_QUICK_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Cache-Control"] = "no-store"
    return response


# The safety plan and the person's own copy (services.plans). Like the status page, every
# step is a POST carrying the receipt code, so the code never appears in an address.


def _case_from_post(request, program):
    """The case behind the posted code, or the page to show instead (rate limit, not found)."""
    try:
        case = intake.case_lookup(
            receipt_code=request.POST.get("receipt_code", ""), client_key=_client_key(request)
        )
    except ratelimit.RateLimited:
        return None, _render(
            request,
            "programs/rate_limited.html",
            program,
            {"form": ReceiptCodeForm(), "message": _rate_limited_message()},
            status=429,
        )
    if case is None:
        return None, _render(
            request,
            "programs/status.html",
            program,
            {"form": ReceiptCodeForm(), "not_found": True, "kept": False},
            status=404,
        )
    return case, None


def _plan_page(request, case, code, *, notice="", errors=(), status=200):
    view = plans.requester_plan(case=case)
    return _render(
        request,
        "programs/plan.html",
        case.program,
        {"case": case, "view": view, "receipt_code": code, "notice": notice, "errors": errors},
        status=status,
    )


def _plan_form_page(request, case, code, form, *, proposal=None, status=200):
    return _render(
        request,
        "programs/plan_edit.html",
        case.program,
        {"case": case, "form": form, "receipt_code": code, "proposal": proposal},
        status=status,
    )


def _proposal(case, proposal_id):
    try:
        return case.plan_proposals.filter(pk=int(proposal_id)).first()
    except (TypeError, ValueError):
        return None


@anonymous_form
@require_POST
def request_plan(request, slug):
    """Read, write, print the plan; accept, change or reject the supporter's proposal."""
    program = selectors.program_get_public(slug=slug)
    case, refused = _case_from_post(request, program)
    if refused:
        return refused
    code = receipts.pretty(receipts.normalise(request.POST["receipt_code"]))
    action = request.POST.get("action", "view")
    proposal_id = request.POST.get("proposal", "")
    if action == "print":
        copy = plans.requester_copy(case=case, include_conversation=False)
        return _copy_print(request, case, copy)
    if action in ("edit", "review"):
        plan = plans.plan_content(case=case)
        proposal = None
        if action == "review":
            proposal = _proposal(case, proposal_id)
            if proposal is None:
                return _plan_page(request, case, code, errors=[_("That proposal was not found.")])
            plan = plans.proposal_plan(proposal=proposal)
        form = PlanForm(program=case.program, plan=plan)
        return _plan_form_page(request, case, code, form, proposal=proposal)
    if action in ("save", "accept-changed"):
        form = PlanForm(request.POST, program=case.program, plan=plans.plan_content(case=case))
        form.is_valid()
        proposal = _proposal(case, proposal_id) if action == "accept-changed" else None
        try:
            if action == "save":
                plans.requester_plan_save(case=case, data=form.plan_data())
                notice = _("Your plan has been saved.")
            else:
                plans.proposal_decide(
                    case=case, proposal_id=proposal_id, accept=True, data=form.plan_data()
                )
                notice = _("You accepted the proposal with your changes. Your plan is updated.")
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _plan_form_page(request, case, code, form, proposal=proposal, status=400)
        return _plan_page(request, case, code, notice=notice)
    if action in ("accept", "reject"):
        try:
            plans.proposal_decide(case=case, proposal_id=proposal_id, accept=action == "accept")
        except ValidationError as exc:
            return _plan_page(request, case, code, errors=exc.messages, status=400)
        notice = (
            _("You accepted the proposal. Your plan is updated.")
            if action == "accept"
            else _("You turned the proposal down. Your plan is as it was.")
        )
        return _plan_page(request, case, code, notice=notice)
    return _plan_page(request, case, code)


def _copy_print(request, case, copy):
    return _render(
        request,
        "programs/copy_print.html",
        case.program,
        {
            "case": case,
            "copy": copy,
            "hide_branding": request.POST.get("hide_branding") == "1",
        },
    )


@anonymous_form
@require_POST
def request_copy(request, slug):
    """The person's own copy of their conversation and plan: a text file or a printable page."""
    program = selectors.program_get_public(slug=slug)
    case, refused = _case_from_post(request, program)
    if refused:
        return refused
    only_plan = request.POST.get("what") == "plan"
    copy = plans.requester_copy(case=case, include_conversation=not only_plan)
    if request.POST.get("format") == "print":
        return _copy_print(request, case, copy)
    response = HttpResponse(copy["text"], content_type="text/plain; charset=utf-8")
    name = "my-safety-plan.txt" if only_plan else "my-peer-support-conversation.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
