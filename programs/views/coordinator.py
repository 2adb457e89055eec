"""The coordinator view of one program: the queue, assignments, cases and the roster's wellbeing.

Only the program's coordinators get in; everyone else gets a 404 for the whole area.
Requests whose text is shown are audit-logged, one row each.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import eligibility, memo, permissions, selectors
from ..models import CaseAccess, SupporterProfile
from ..services import cases, roster
from .caseload import (
    ALREADY_SENT,
    Replayed,
    StaffReplyForm,
    apply_errors,
    case_links,
    staff_form_once,
    staff_form_tokens,
)

QUEUE_PAGE_SIZE = 20
CANDIDATES_SHOWN = 3


class AssignForm(forms.Form):
    supporter = forms.TypedChoiceField(
        label=gettext_lazy("Supporter"), coerce=int, choices=(), widget=forms.RadioSelect
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].choices = [(s.pk, s.display_name) for s in candidates]


def _program(request, slug, only=()):
    return selectors.program_get_for_user(
        user=request.user, slug=slug, perm=permissions.TRIAGE, only=only
    )


@never_cache
@login_required
@require_GET
def index(request, slug):
    # The role is checked anew on every request; the page, and the program's name and slug
    # that frame it, are built once per change to the programs the person coordinates (see
    # memo), so a reload reads no program row. A revoked role changes those programs, so
    # the copy is never used again, and the page built anew answers 404.
    held = permissions.program_keys_for(request.user, permissions.TRIAGE)
    number = request.GET.get("page", "")
    program, body, shown = memo.remembered(
        memo.slot_for(request, "coordinate", slug, number),
        programs=held,
        build=lambda: _coordinator_page(request, slug, number),
    )
    if program.pk not in held:  # a copy is kept under `held`, so only ever said again here
        raise Http404
    # The queue shows each request's text, so each counts as a view of that case, on every
    # reload.
    cases.audit_many(shown=shown, actor=request.user, action=CaseAccess.Action.VIEW)
    context = {"coordinated_program": program, "body": memo.with_csrf(request, body)}
    return TemplateResponse(request, "programs/coordinator/index.html", context)


def _coordinator_page(request, slug, number):
    """The program (a 404 unless the person coordinates it) and its coordinator page."""
    program = _program(request, slug)
    return (program, *_coordinator_body(request, program, number))


def _coordinator_body(request, program, number):
    """The coordinator page's sections as HTML, and the requests they show (their keys and
    their program's, for the audit rows)."""
    paginator = Paginator(selectors.coordinator_queue(program=program), QUEUE_PAGE_SIZE)
    page = paginator.get_page(number)
    queue = list(page.object_list)
    ranked = eligibility.ranked_for_cases(cases=queue, per_case=CANDIDATES_SHOWN)
    for case in queue:
        case.candidates = ranked.get(case.pk, [])
        for supporter in case.candidates:
            supporter.reasons = eligibility.explain(supporter, case)
    supporters = selectors.coordinator_supporters(program=program)
    open_cases = selectors.coordinator_cases(program=program)
    page_of = case_links("programs:coordinate_request", program.slug)
    assign_to = case_links("programs:coordinate_assign", program.slug)
    for case in [*queue, *open_cases]:
        case.page_url, case.assign_url = page_of(case.pk), assign_to(case.pk)
    context = {
        "coordinated_program": program,
        "queue": queue,
        "page": page,
        "open_cases": open_cases,
        "handovers": [c for c in open_cases if c.handover_pending],
        "supporters": supporters,
        "paused": [s for s in supporters if s.status == SupporterProfile.Status.PAUSED],
        "debriefs": [s for s in supporters if s.debrief_requested_at],
        "csrf_token": memo.CSRF_PLACEHOLDER,
    }
    body = render_to_string("programs/coordinator/_index_body.html", context, request)
    return body, [(case.pk, case.program_id) for case in queue]


def _request_page(request, program, case, assign_form=None, reply_form=None, status=200):
    cases.audit(case=case, actor=request.user, action=CaseAccess.Action.VIEW)
    candidates = list(eligibility.candidates(case=case)) if case.is_open else []
    for supporter in candidates:
        supporter.reasons = eligibility.explain(supporter, case)
    candidate_pks = {s.pk for s in candidates}
    # Who cannot take it, and why, only matters while the case can still be assigned.
    assessed = eligibility.assess(case=case) if case.is_open else []
    others = [s for s in assessed if s.pk not in candidate_pks]
    for supporter in others:
        supporter.reasons = eligibility.why_not(supporter)
    context = {
        "coordinated_program": program,
        "case": case,
        "candidates": candidates,
        "not_eligible": others,
        "assign_form": assign_form or AssignForm(candidates=candidates),
        "reply_form": reply_form or StaffReplyForm(prefix="reply"),
        "handover_pending": eligibility.handover_pending(case=case),
        "form_tokens": staff_form_tokens(case, request.user, names=["reply"]),
        **selectors.case_record(case=case, user=request.user),
    }
    return TemplateResponse(request, "programs/coordinator/request.html", context, status=status)


@never_cache
@login_required
@require_GET
def request_detail(request, slug, case_id):
    program = _program(request, slug)
    case = selectors.coordinator_case_get(user=request.user, program=program, case_id=case_id)
    return _request_page(request, program, case)


@never_cache
@login_required
@require_POST
def request_assign(request, slug, case_id):
    """Assign, or reassign: the previous supporter loses the case at once."""
    program = _program(request, slug)
    case = selectors.coordinator_case_get(user=request.user, program=program, case_id=case_id)
    # Any supporter of the program passes the form; the service explains who cannot take it.
    roster_ = SupporterProfile.objects.filter(program=program)
    form = AssignForm(request.POST, candidates=roster_)
    if not form.is_valid():
        return _request_page(request, program, case, assign_form=form, status=400)
    supporter = roster_.get(pk=form.cleaned_data["supporter"])
    try:
        cases.case_offer(case=case, supporter=supporter, actor=request.user)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _request_page(request, program, case, assign_form=form, status=400)
    messages.success(
        request,
        _("Offered to %(name)s. They have been asked to accept or decline.")
        % {"name": supporter.display_name},
    )
    if request.POST.get("return_to") == "queue":
        return redirect("programs:coordinate", slug=program.slug)
    return redirect("programs:coordinate_request", slug=program.slug, case_id=case.pk)


@never_cache
@login_required
@require_POST
def request_reply(request, slug, case_id):
    program = _program(request, slug)
    case = selectors.coordinator_case_get(user=request.user, program=program, case_id=case_id)
    form = StaffReplyForm(request.POST, prefix="reply")
    if form.is_valid():
        body = form.cleaned_data["body"]
        try:
            staff_form_once(
                request,
                "reply",
                case,
                lambda: cases.staff_reply(case=case, actor=request.user, body=body),
            )
        except Replayed:
            messages.info(request, ALREADY_SENT)
            return redirect("programs:coordinate_request", slug=program.slug, case_id=case.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
    if form.errors:
        return _request_page(request, program, case, reply_form=form, status=400)
    messages.success(request, _("Your reply has been sent."))
    return redirect("programs:coordinate_request", slug=program.slug, case_id=case.pk)


@never_cache
@login_required
@require_POST
def debrief_done(request, slug, supporter_id):
    program = _program(request, slug)
    supporter = get_object_or_404(SupporterProfile, program=program, pk=supporter_id)
    roster.supporter_debrief_done(supporter=supporter, actor=request.user)
    messages.success(
        request, _("Debrief for %(name)s marked as done.") % {"name": supporter.display_name}
    )
    return redirect("programs:coordinate", slug=program.slug)
