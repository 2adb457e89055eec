"""Sign-up for a session, the iCal files, and the facilitators' list of who is coming.

The sign-up page is an anonymous route (privacy.anonymous_route): no cookie, no session,
no-store and no access line; a signed one-time token stands in for CSRF, and it is never
cached (the page cache skips any page with a form token). The online link or phone
details are shown only on the confirmation page, to someone who got a place.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from privacy import anonymous_form, formtokens
from programs import permissions, selectors
from programs.models import SupporterProfile

from . import events
from .models import EventPage, EventSignup, ProgramPage

# Who sees how many have signed up (never who): the program's admins and coordinators.
COUNT_PERMISSIONS = (permissions.VIEW_REPORTS, permissions.TRIAGE)


def _program_and_event(request, slug, event_id):
    program = selectors.program_get_public(slug=slug)
    if not selectors.program_pages_visible(program=program, user=request.user):
        raise Http404
    program_page = get_object_or_404(ProgramPage.objects.live(), program=program)
    event = get_object_or_404(
        EventPage.objects.live().public().descendant_of(program_page), pk=event_id
    )
    return program, program_page, event


@anonymous_form
@require_http_methods(["GET", "POST"])
def signup(request, slug, event_id):
    program, program_page, event = _program_and_event(request, slug, event_id)
    purpose = events.signup_purpose(event)
    data = request.POST if request.method == "POST" else None
    key = request.POST.get("session") if data else request.GET.get("session", "")
    occurrence = events.occurrence_get(event, key)
    form = events.SignupForm(data, initial={"session": key})
    context = {
        "program": program,
        "program_page": program_page,
        "event": event,
        "occurrence": occurrence,
        "form": form,
    }
    if occurrence is None:
        context["sessions"] = events.occurrences_between(
            event, timezone.now(), timezone.now() + events.LISTED_AHEAD
        )[: events.LISTED_ON_PAGE]
        return TemplateResponse(
            request, "cms/event_signup.html", context, status=400 if data else 200
        )
    taken, _waiting = events.signup_counts(event, occurrence)
    context["full"] = taken >= event.capacity
    if data is None:
        context["form_token"] = formtokens.issue(purpose)
        return TemplateResponse(request, "cms/event_signup.html", context)
    refused = _spend_form_token(
        request,
        form,
        purpose,
        context,
        "cms/event_signup.html",
        replayed=_(
            "This form has already been sent once. If you saw a confirmation, you are "
            "signed up and need not send it again."
        ),
    )
    if refused is not None:
        return refused
    try:
        booking = events.event_signup(
            occurrence=occurrence,
            alias=form.cleaned_data["alias"],
            email=form.cleaned_data["email"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        context["form_token"] = formtokens.issue(purpose)
        return TemplateResponse(request, "cms/event_signup.html", context, status=400)
    context["signup"] = booking
    return TemplateResponse(request, "cms/event_signup_done.html", context)


def _spend_form_token(request, form, purpose, context, template, *, replayed):
    """Check the posted form and spend its one-time token: None once both are good, else the
    page again with what was typed and a plain reason (expired: 400, invalid form: 400, sent
    twice: 409)."""
    token = request.POST.get("form_token", "")
    try:
        formtokens.check(token, purpose)
    except formtokens.Invalid:
        form.is_valid()
        form.add_error(None, _("This form has expired. Please check it and send it again."))
        context["form_token"] = formtokens.issue(purpose)
        return TemplateResponse(request, template, context, status=400)
    if not form.is_valid():
        context["form_token"] = token
        return TemplateResponse(request, template, context, status=400)
    try:
        formtokens.consume(token, purpose)
    except formtokens.Replayed:
        form.add_error(None, replayed)
        context["form_token"] = formtokens.issue(purpose)
        return TemplateResponse(request, template, context, status=409)
    return None


@anonymous_form
@require_http_methods(["GET", "POST"])
def signup_cancel(request, slug):
    """Give up a place with the code from signing up: the first on the waiting list moves up."""
    program = selectors.program_get_public(slug=slug)
    if not selectors.program_pages_visible(program=program, user=request.user):
        raise Http404
    program_page = get_object_or_404(ProgramPage.objects.live(), program=program)
    purpose = events.cancel_purpose(program_page)
    data = request.POST if request.method == "POST" else None
    form = events.CancelForm(data)
    context = {"program": program, "program_page": program_page, "form": form}
    if data is None:
        context["form_token"] = formtokens.issue(purpose)
        return TemplateResponse(request, "cms/event_cancel.html", context)
    refused = _spend_form_token(
        request,
        form,
        purpose,
        context,
        "cms/event_cancel.html",
        replayed=_("This form has already been sent once. If you saw a confirmation, it worked."),
    )
    if refused is not None:
        return refused
    try:
        cancelled = events.signup_cancel(program_page=program_page, code=form.cleaned_data["code"])
    except ValidationError as exc:
        form.add_error(None, exc)
        cancelled = False
    if cancelled is None:
        form.add_error(
            "code",
            _("No sign-up has this code. It may have been cancelled already, or mistyped."),
        )
    if not cancelled:
        context["form_token"] = formtokens.issue(purpose)
        return TemplateResponse(request, "cms/event_cancel.html", context, status=400)
    context["cancelled"] = cancelled
    return TemplateResponse(request, "cms/event_cancel_done.html", context)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request, slug, event_id):
    program, _page, event = _program_and_event(request, slug, event_id)
    body = events.calendar_ics(events=[event], name=program.name, host=request.get_host())
    return _ics_response(body, f"{program.slug}-{event.slug}.ics")


@require_GET
def events_feed(request, slug):
    """Every live event of the program: a calendar to subscribe to."""
    program = selectors.program_get_public(slug=slug)
    if not selectors.program_pages_visible(program=program, user=request.user):
        raise Http404
    program_page = get_object_or_404(ProgramPage.objects.live(), program=program)
    listed = EventPage.objects.live().public().descendant_of(program_page).order_by("start")
    body = events.calendar_ics(events=listed, name=program.name, host=request.get_host())
    return _ics_response(body, f"{program.slug}-events.ics")


@never_cache
@login_required
@require_GET
def facilitator_sessions(request):
    """Facilitators see who signed up for their sessions (aliases only, never emails); a
    program's admins and coordinators see how many, not who."""
    now = timezone.now()
    profiles = SupporterProfile.objects.filter(
        user=request.user, status=SupporterProfile.Status.ACTIVE
    )
    own = []
    for event in EventPage.objects.live().filter(facilitators__in=profiles).distinct():
        for occurrence in events.occurrences_between(event, now, now + events.LISTED_AHEAD):
            signups = list(EventSignup.objects.filter(event=event, occurrence=occurrence.start))
            own.append({"occurrence": occurrence, "signups": signups})
    counted = []
    for program in permissions.programs_with_any(request.user, COUNT_PERMISSIONS):
        program_page = ProgramPage.objects.filter(program=program).first()
        if program_page is None:
            continue
        rows = []
        for event in EventPage.objects.live().descendant_of(program_page):
            for occurrence in events.occurrences_between(event, now, now + events.LISTED_AHEAD):
                taken, waiting = events.signup_counts(event, occurrence)
                rows.append({"occurrence": occurrence, "taken": taken, "waiting": waiting})
        rows.sort(key=lambda r: r["occurrence"].start)
        counted.append({"program": program, "rows": rows})
    if not own and not counted and not profiles.exists():
        raise Http404
    return TemplateResponse(
        request,
        "cms/facilitator_sessions.html",
        {"own": sorted(own, key=lambda r: r["occurrence"].start), "counted": counted},
    )
