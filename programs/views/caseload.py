"""The peer champion's caseload: their own cases, training and wellbeing.

Plain Django forms with CSRF protection; every page works without JavaScript. A case
that is not the signed-in supporter's own is a 404, whoever asks. Every view of a case
is audit-logged, never its content.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import get_template, render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from privacy import formtokens

from .. import eligibility, memo, permissions, selectors, selectors_audit
from ..models import (
    Case,
    CaseAccess,
    CaseEvent,
    Channel,
    ContactType,
    ReferralKind,
    SupporterProfile,
    TrainingRequirement,
)
from ..plan_forms import PlanForm
from ..services import cases, plans, roster, training
from ..services.intake import MAX_MESSAGE_LENGTH

# Forms


class StaffReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your reply"),
        help_text=gettext_lazy("The requester reads this on their status page."),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why are you declining?"),
        help_text=gettext_lazy("Only the reason category is kept. The request goes back."),
        choices=CaseEvent.DeclineReason.choices,
        widget=forms.RadioSelect,
    )


class NoteForm(forms.Form):
    contact_date = forms.DateField(
        label=gettext_lazy("Contact date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contact_type = forms.ChoiceField(
        label=gettext_lazy("How you were in contact"),
        choices=ContactType.choices,
        widget=forms.RadioSelect,
    )
    referral_offered = forms.BooleanField(
        label=gettext_lazy("I offered a referral to professional help"), required=False
    )
    text = forms.CharField(
        label=gettext_lazy("Note (optional, best left empty)"),
        help_text=gettext_lazy(
            "Write only what you need to follow up, and never names or details that could "
            "identify anyone. Only you and the program's coordinators can read it, and it "
            "is deleted with the case."
        ),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of professional help offered"),
        help_text=gettext_lazy("This records that you offered a referral, not to whom."),
        choices=ReferralKind.choices,
        widget=forms.RadioSelect,
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=Case.Outcome.choices,
        widget=forms.RadioSelect,
    )
    closing_message = forms.CharField(
        label=gettext_lazy("Closing message to the requester"),
        help_text=gettext_lazy(
            "They read it when they next open their request, with the crisis lines and any "
            "help you suggested. Needed if their last message has not been answered."
        ),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Where this case stands"),
        choices=[
            (Case.Status.CONTACTED, Case.Status.CONTACTED.label),
            (Case.Status.ACTIVE, Case.Status.ACTIVE.label),
        ],
        widget=forms.RadioSelect,
    )


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Anything your coordinator should know? (optional)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form it came from."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Staff writes that create content carry a one-time form token (the anonymous forms'
# mechanism), so a form posted twice (a double click, a resent page) creates one message.
TOKENED_FORMS = ("reply", "note", "refer")
ALREADY_SENT = gettext_lazy("That was already sent, so it was not sent twice.")
PAGE_TOO_OLD = gettext_lazy(
    "This page was open for a long time. What you wrote is still here: please send it again."
)


def _form_purpose(name, case, user) -> str:
    return f"staff-{name}:{case.pk}:{user.pk}"


def staff_form_tokens(case, user, names=TOKENED_FORMS) -> dict:
    return {name: formtokens.issue(_form_purpose(name, case, user)) for name in names}


class Replayed(Exception):
    pass


def staff_form_once(request, name, case, write):
    """Run `write` once per form token; a replayed token raises Replayed, nothing written.

    Forms without a token (older pages, scripts) are written as before.
    """
    token = request.POST.get("form_token", "")
    if not token:
        return write()
    purpose = _form_purpose(name, case, request.user)
    try:
        formtokens.consume(token, purpose)
    except formtokens.Replayed as exc:
        raise Replayed from exc
    except formtokens.Invalid as exc:
        raise ValidationError(PAGE_TOO_OLD) from exc
    try:
        return write()
    except ValidationError:
        formtokens.release(token, purpose)
        raise


# The caseload


@never_cache
@login_required
@require_GET
def index(request):
    # Built once per change to the programs where the person holds a caseload (see memo);
    # their roles are read anew on every request.
    held = permissions.program_keys_for(request.user, permissions.HOLD_CASELOAD)
    body = memo.remembered(
        memo.slot_for(request, "caseload", tuple(held)),
        programs=held,
        build=lambda: _caseload_body(request),
    )
    if body is None:
        raise Http404
    context = {"body": memo.with_csrf(request, body)}
    return TemplateResponse(request, "programs/caseload/index.html", context)


def _caseload_body(request):
    """The caseload's sections as HTML, or None when the person holds no caseload."""
    profiles = selectors.caseload_profiles(user=request.user)
    if not profiles:
        return None
    context = {"profiles": profiles, **selectors.caseload_cases(user=request.user)}
    _render_summaries([*context["open"], *context["closed"]], show_program=len(profiles) > 1)
    context["csrf_token"] = memo.CSRF_PLACEHOLDER
    return render_to_string("programs/caseload/_index_body.html", context, request)


def case_links(name: str, *args):
    """A function from a case's id to its URL under `name` (after `args`), reversed once:
    pages that link every case of a long list resolve the pattern once, not per row."""
    placeholder = "00000000-0000-0000-0000-000000000000"
    pattern = reverse(name, args=[*args, placeholder])
    return lambda case_id: pattern.replace(placeholder, str(case_id))


def _render_summaries(case_list, *, show_program: bool) -> None:
    """Each case's summary, rendered once: a case shows in several lists on the page
    (needs a reply, no contact for a while, its status). What repeats from card to card
    (the link's pattern, the translated words, channel names, days) is worked out once
    per page, so each card is a few substitutions, not a template full of tags."""
    template = get_template("programs/caseload/_case_summary.html")
    labels = {"urgent": _("Urgent"), "waiting": _("Waiting for your reply")}
    link = case_links("programs:caseload_case")
    title, stale, since = (
        _("Request %(ref)s"),
        _("No contact in %(days)s+ days"),
        _("since %(day)s"),
    )
    channels = dict(Channel.choices)
    days: dict = {}
    for case in case_list:
        case.topic_list = list(case.topics.all())
        created = timezone.localtime(case.created_at).date()
        if created not in days:
            days[created] = since % {"day": date_format(created, "j M Y")}
        card = {
            "url": link(case.pk),
            "title": title % {"ref": str(case.pk)[:8]},
            "stale": stale % {"days": case.stale_days} if getattr(case, "stale_days", 0) else "",
            "channel": channels.get(case.channel, case.channel),
            "since": days[created],
        }
        case.summary = template.render(
            {"case": case, "card": card, "show_program": show_program, "labels": labels}
        )


CASE_FORMS = {
    "reply": StaffReplyForm,
    "decline": DeclineForm,
    "note": NoteForm,
    "refer": ReferralForm,
    "close": CloseForm,
    "status": StatusForm,
}


def _case_page(request, case, bound=None, status=200):
    """The case page; `bound` is a form that failed and is shown with its errors."""
    cases.audit(case=case, actor=request.user, action=CaseAccess.Action.VIEW)
    forms_ = {
        name: form_class(prefix=name, initial=_initial(name))
        for name, form_class in CASE_FORMS.items()
    }
    if bound is not None:
        forms_[bound.prefix] = bound
    context = {
        "case": case,
        "forms": forms_,
        "handover_pending": eligibility.handover_pending(case=case),
        "can_work": case.is_open and case.status != Case.Status.OFFERED,
        "requester_waiting": eligibility.requester_waiting(case=case),
        "resources": selectors.help_resources(program=case.program),
        "form_tokens": staff_form_tokens(case, request.user),
        "can_work_plan": permissions.can_work_plan(request.user, case),
        **selectors.case_record(case=case, user=request.user),
        "others_access": selectors_audit.case_access_others(case=case, user=request.user),
    }
    return TemplateResponse(request, "programs/caseload/case.html", context, status=status)


def _initial(name):
    if name == "note":
        return {"contact_date": timezone.localdate(), "contact_type": ContactType.MESSAGE}
    return None


@never_cache
@login_required
@require_GET
def case_detail(request, case_id):
    case = selectors.caseload_case_get(user=request.user, case_id=case_id)
    return _case_page(request, case)


def _case_action(name, run, done_message, leaves_caseload=False):
    """A POST on a case: validate the form, call the service, then redirect (or show errors)."""

    @never_cache
    @login_required
    @require_POST
    def view(request, case_id):
        case = selectors.caseload_case_get(user=request.user, case_id=case_id)
        form_class = CASE_FORMS.get(name)
        form = form_class(request.POST, prefix=name) if form_class else None
        if form is not None and not form.is_valid():
            return _case_page(request, case, bound=form, status=400)
        data = form.cleaned_data if form is not None else {}
        try:
            if name in TOKENED_FORMS:
                staff_form_once(
                    request, name, case, lambda: run(case=case, actor=request.user, **data)
                )
            else:
                run(case=case, actor=request.user, **data)
        except Replayed:
            messages.info(request, ALREADY_SENT)
            return redirect("programs:caseload_case", case_id=case.pk)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect("programs:caseload_case", case_id=case.pk)
            apply_errors(form, exc)
            return _case_page(request, case, bound=form, status=400)
        messages.success(request, done_message())
        if leaves_caseload:
            return redirect("programs:caseload")
        return redirect("programs:caseload_case", case_id=case.pk)

    view.__name__ = f"case_{name}"
    return view


case_accept = _case_action(
    "accept",
    lambda case, actor: cases.case_accept(case=case, actor=actor),
    lambda: _("You have accepted this request. Please make contact soon."),
)
case_decline = _case_action(
    "decline",
    lambda case, actor, reason: cases.case_decline(case=case, actor=actor, reason=reason),
    lambda: _("You have declined the request. It has gone back to the coordinators."),
    leaves_caseload=True,
)
case_reply = _case_action(
    "reply",
    lambda case, actor, body: cases.staff_reply(case=case, actor=actor, body=body),
    lambda: _("Your reply has been sent."),
)
case_note = _case_action(
    "note",
    lambda case, actor, **data: cases.note_add(case=case, actor=actor, **data),
    lambda: _("Note saved."),
)
case_refer = _case_action(
    "refer",
    lambda case, actor, kind: cases.referral_record(case=case, actor=actor, kind=kind),
    lambda: _("Referral recorded."),
)
case_handover = _case_action(
    "handover",
    lambda case, actor: cases.handover_ask(case=case, actor=actor),
    lambda: _("Your coordinator has been asked to hand this case over."),
)
case_close = _case_action(
    "close",
    lambda case, actor, outcome, closing_message: cases.case_close(
        case=case, actor=actor, outcome=outcome, closing_message=closing_message
    ),
    lambda: _("The case is closed. Thank you for the support you gave."),
)
case_status = _case_action(
    "status",
    lambda case, actor, status: cases.case_status_set(case=case, actor=actor, status=status),
    lambda: _("Status updated."),
)


# Training


@never_cache
@login_required
@require_GET
def training_list(request):
    profiles = selectors.caseload_profiles(user=request.user)
    if not profiles:
        raise Http404
    for profile in profiles:
        for row in profile.ledger:
            page = row.requirement.page
            row.page_url = page.get_url(request=request) if page is not None and page.live else ""
    return TemplateResponse(request, "programs/caseload/training.html", {"profiles": profiles})


@never_cache
@login_required
@require_POST
def training_complete(request, requirement_id):
    """Mark a training page as read. Only requirements with a page, in the user's programs."""
    programs = permissions.programs_for(request.user, permissions.HOLD_CASELOAD)
    requirement = get_object_or_404(
        TrainingRequirement.objects.select_related("program"),
        pk=requirement_id,
        program__in=programs,
        page__isnull=False,
    )
    supporter = get_object_or_404(SupporterProfile, program=requirement.program, user=request.user)
    training.training_page_complete(
        supporter=supporter, requirement=requirement, actor=request.user
    )
    messages.success(request, _("“%(name)s” is recorded as complete.") % {"name": requirement.name})
    return redirect("programs:caseload_training")


# Wellbeing


def _own_profile(request, profile_id) -> SupporterProfile:
    programs = permissions.programs_for(request.user, permissions.HOLD_CASELOAD)
    return get_object_or_404(
        SupporterProfile.objects.select_related("program"),
        pk=profile_id,
        user=request.user,
        program__in=programs,
    )


@never_cache
@login_required
@require_GET
def wellbeing(request):
    profiles = selectors.caseload_profiles(user=request.user)
    if not profiles:
        raise Http404
    return TemplateResponse(
        request,
        "programs/caseload/wellbeing.html",
        {"profiles": profiles, "pause_form": PauseForm()},
    )


@never_cache
@login_required
@require_POST
def wellbeing_pause(request, profile_id):
    """Pause (or resume, with resume=1): no new requests reach a paused supporter."""
    profile = _own_profile(request, profile_id)
    resume = request.POST.get("resume") == "1"
    form = PauseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        roster.supporter_pause_self(
            supporter=profile, actor=request.user, paused=not resume, reason=reason
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("programs:caseload_wellbeing")
    if resume:
        messages.success(request, _("Welcome back. New requests can reach you again."))
    else:
        messages.success(
            request,
            _(
                "You are paused. No new requests will reach you; your open cases stay "
                "with you. Your coordinator has been told."
            ),
        )
    return redirect("programs:caseload_wellbeing")


@never_cache
@login_required
@require_POST
def wellbeing_debrief(request, profile_id):
    profile = _own_profile(request, profile_id)
    roster.supporter_debrief_request(supporter=profile, actor=request.user)
    messages.success(request, _("Your coordinator has been asked to get in touch for a debrief."))
    return redirect("programs:caseload_wellbeing")


# The person's safety plan: the supporter who accepted the case proposes; the person
# decides. Anyone else (another supporter, a coordinator, HR) gets a 404, as does the
# supporter once the case is closed.


def _plan_page(request, case, form=None, status=200):
    view = plans.supporter_plan(case=case, actor=request.user)
    if form is None:
        base = plans.proposal_plan(proposal=view["pending"]) if view["pending"] else view["plan"]
        form = PlanForm(program=case.program, plan=base, articles=view["articles"], proposing=True)
    return TemplateResponse(
        request,
        "programs/caseload/plan.html",
        {"case": case, "view": view, "form": form},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_plan(request, case_id):
    case = selectors.caseload_case_get(user=request.user, case_id=case_id)
    if request.method == "GET":
        if not permissions.can_work_plan(request.user, case):
            raise Http404
        return _plan_page(request, case)
    articles = plans.program_articles(program=case.program)
    form = PlanForm(request.POST, program=case.program, articles=articles, proposing=True)
    form.is_valid()
    try:
        plans.plan_propose(
            case=case, actor=request.user, data=form.plan_data(), note=form.plan_data_note()
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        apply_errors(form, exc)
        if not permissions.can_work_plan(request.user, case):
            # Closed or not yet accepted: say so, keep what was typed, show no plan.
            return TemplateResponse(
                request,
                "programs/caseload/plan.html",
                {"case": case, "view": None, "form": form},
                status=400,
            )
        return _plan_page(request, case, form=form, status=400)
    messages.success(
        request,
        _("Your proposal has been sent. The person sees it when they next open their plan."),
    )
    return redirect("programs:caseload_plan", case_id=case.pk)
