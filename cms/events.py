"""Peer groups and events: recurrences, the listing, anonymous sign-ups and iCal.

A series is stored as an RRULE (weekly, fortnightly, or monthly on the nth weekday) with
an end (a date or a number of sessions: a series that never ends is refused) and EXDATEs
for cancelled days. Sessions are computed in the event's own time zone, so a 19:00 group
stays at 19:00 on the wall clock across a daylight-saving change.

Sign-ups take a first name or alias and, only if wanted, an email for a reminder
(encrypted, and deleted with the sign-up once the session is over). No account, no
cookie: the form carries a signed one-time token (privacy.formtokens).
"""

import dataclasses
import datetime as dt
import logging
import secrets
import zoneinfo

from dateutil.rrule import rruleset, rrulestr
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from privacy.crypto import keyed_digest
from programs.models import SupporterProfile, TrainingRequirement

from .models import EventIndexPage, EventPage, EventSignup, ProgramPage

logger = logging.getLogger(__name__)

LISTED_AHEAD = dt.timedelta(weeks=8)
LISTED_ON_PAGE = 12
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


# ---------------------------------------------------------------- recurrence


def event_tz(page: EventPage) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(page.time_zone)


def cancelled_date_list(text: str) -> list[dt.date]:
    """The editor's cancelled dates, one a line; raise ValidationError on a bad line."""
    dates = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            dates.append(dt.date.fromisoformat(line))
        except ValueError as exc:
            raise ValidationError(
                {"cancelled_dates": _("“%(line)s” is not a date like 2026-11-03.") % {"line": line}}
            ) from exc
    return sorted(set(dates))


def _local_start(page: EventPage) -> dt.datetime:
    return page.start.astimezone(event_tz(page))


def build_rrule(page: EventPage) -> str:
    """The RRULE for the event's repeat settings ('' for a one-off session)."""
    if not page.repeat:
        return ""
    start = _local_start(page)
    if page.repeat == EventPage.Repeat.WEEKLY:
        parts = ["FREQ=WEEKLY"]
    elif page.repeat == EventPage.Repeat.FORTNIGHTLY:
        parts = ["FREQ=WEEKLY", "INTERVAL=2"]
    else:
        nth = (start.day - 1) // 7 + 1
        ordinal = "-1" if nth == 5 else f"+{nth}"  # the fifth is the last one
        parts = ["FREQ=MONTHLY", f"BYDAY={ordinal}{WEEKDAYS[start.weekday()]}"]
    if page.repeat_count:
        parts.append(f"COUNT={page.repeat_count}")
    elif page.repeat_until:
        # The end of the last day, on the event's wall clock, in UTC as RFC 5545 asks.
        until = dt.datetime.combine(page.repeat_until, dt.time(23, 59, 59), event_tz(page))
        parts.append(f"UNTIL={until.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def build_exdates(page: EventPage) -> str:
    """Cancelled days as EXDATE values on the event's wall clock (TZID is its time zone)."""
    start = _local_start(page)
    return ",".join(
        f"{dt.datetime.combine(day, start.time()):%Y%m%dT%H%M%S}"
        for day in cancelled_date_list(page.cancelled_dates)
    )


def exdate_list(page: EventPage) -> list[dt.datetime]:
    tz = event_tz(page)
    return [
        dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
        for value in page.exdates.split(",")
        if value
    ]


def event_clean(page: EventPage) -> None:
    """Refuse what cannot be listed; then store the RRULE and EXDATEs."""
    errors = {}
    if page.time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = _("Choose a time zone from the list.")
    if page.start is None:
        raise ValidationError(errors or {"start": _("Give the date and time it starts.")})
    if errors:
        raise ValidationError(errors)
    if page.repeat:
        if not page.repeat_until and not page.repeat_count:
            errors["repeat_until"] = _(
                "A repeating session needs an end: give the last date or the number of "
                "sessions. A series that never ends cannot be listed."
            )
        elif page.repeat_until and page.repeat_count:
            errors["repeat_count"] = _("Give either the last date or the number of sessions.")
        elif page.repeat_until and page.repeat_until < _local_start(page).date():
            errors["repeat_until"] = _("The last date is before the first session.")
    else:
        stored = (
            EventPage.objects.filter(pk=page.pk).values_list("start", flat=True).first()
            if page.pk
            else None
        )
        if page.start < timezone.now() and page.start != stored:
            errors["start"] = _(
                "This date and time has already passed. Give a date in the future for a "
                "one-off session."
            )
    page.cancelled_dates = "\n".join(
        d.isoformat() for d in cancelled_date_list(page.cancelled_dates)
    )
    if errors:
        raise ValidationError(errors)
    event_compute(page)


def event_compute(page: EventPage) -> None:
    page.rrule = build_rrule(page)
    page.exdates = build_exdates(page) if page.rrule else ""


@dataclasses.dataclass(frozen=True)
class Occurrence:
    event: EventPage
    start: dt.datetime

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.event.duration_minutes)

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(event_tz(self.event))

    @property
    def local_label(self) -> str:
        """Day and time on the event's own clock (the date filter would show the site's)."""
        return dateformat.format(self.local_start, "l j F Y, H:i")

    @property
    def key(self) -> str:
        """How a sign-up form names the session: its start, in UTC."""
        return self.start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _rules(page: EventPage) -> rruleset:
    rules = rruleset()
    rules.rrule(rrulestr(page.rrule, dtstart=_local_start(page)))
    for exdate in exdate_list(page):
        rules.exdate(exdate)
    return rules


def occurrences_between(page: EventPage, after: dt.datetime, before: dt.datetime) -> list:
    """Sessions starting from `after` up to `before`, in order."""
    if not page.rrule:
        starts = [page.start] if after <= page.start <= before else []
    else:
        starts = _rules(page).between(after, before, inc=True)
    return [Occurrence(page, start.astimezone(dt.UTC)) for start in starts]


def occurrence_get(page: EventPage, key: str) -> Occurrence | None:
    """The session with this key, if the event has one then and it is still to come."""
    try:
        when = dt.datetime.strptime(key or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    if when < timezone.now():
        return None
    found = occurrences_between(page, when, when)
    return found[0] if found else None


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[("", gettext_lazy("All kinds"))] + list(EventPage.Kind.choices),
        required=False,
    )


def upcoming_occurrences(*, index_page: EventIndexPage, kind: str = "") -> list[Occurrence]:
    """The next eight weeks of sessions of this index's own events (never another's)."""
    events = EventPage.objects.child_of(index_page).live().public()
    if kind:
        events = events.filter(kind=kind)
    now = timezone.now()
    found = [o for event in events for o in occurrences_between(event, now, now + LISTED_AHEAD)]
    return sorted(found, key=lambda o: (o.start, o.event.title))


# ---------------------------------------------------------------- facilitators


def _program_of(page: Page | None):
    if page is None or not page.path:
        return None
    landing = ProgramPage.objects.ancestor_of(page, inclusive=True).select_related("program")
    landing = landing.first()
    return landing.program if landing else None


def facilitator_choices(*, page: EventPage, parent_page: Page | None):
    program = _program_of(page if page.pk else parent_page)
    if program is None:
        return SupporterProfile.objects.none()
    return SupporterProfile.objects.filter(
        program=program, status=SupporterProfile.Status.ACTIVE
    ).order_by("display_name")


def requirement_choices(*, page: EventPage, parent_page: Page | None):
    program = _program_of(page if page.pk else parent_page)
    if program is None:
        return TrainingRequirement.objects.none()
    return TrainingRequirement.objects.filter(program=program).order_by("name")


def training_sessions(*, requirement_ids, now: dt.datetime | None = None) -> dict:
    """{requirement id: [upcoming occurrences]} of the live training sessions that count
    towards these requirements, over the weeks the events index lists."""
    now = now or timezone.now()
    found: dict = {}
    pages = EventPage.objects.live().filter(
        kind=EventPage.Kind.TRAINING, training_requirement_id__in=list(requirement_ids)
    )
    for page in pages:
        for occurrence in occurrences_between(page, now, now + LISTED_AHEAD):
            found.setdefault(page.training_requirement_id, []).append(occurrence)
    for occurrences in found.values():
        occurrences.sort(key=lambda o: o.start)
    return found


def first_name(profile: SupporterProfile) -> str:
    return (profile.display_name.split() or [""])[0]


def facilitator_names(page: EventPage) -> list[str]:
    return [first_name(p) for p in page.facilitators.all()]


# ---------------------------------------------------------------- sign-ups


class SignupForm(forms.Form):
    alias = forms.CharField(
        label=gettext_lazy("First name or alias"),
        help_text=gettext_lazy("Any name you would like to be called by in the group."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Email for a reminder (optional)"),
        help_text=gettext_lazy(
            "Only if you want a reminder. It is stored encrypted and deleted after the session."
        ),
        required=False,
    )
    session = forms.CharField(widget=forms.HiddenInput)


def signup_purpose(event: EventPage) -> str:
    return f"event-signup:{event.pk}"


def signup_counts(event: EventPage, occurrence: Occurrence) -> tuple[int, int]:
    """(places taken, on the waiting list) for one session."""
    rows = EventSignup.objects.filter(event=event, occurrence=occurrence.start)
    return rows.filter(waiting=False).count(), rows.filter(waiting=True).count()


CANCEL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CANCEL_PURPOSE = "event-signup-cancel"


def _cancel_code() -> str:
    raw = "".join(secrets.choice(CANCEL_ALPHABET) for _n in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def cancel_code_normalise(code: str) -> str:
    """What someone typed, as the code we issued: case, spaces, dashes and look-alikes."""
    text = (code or "").upper().translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    text = "".join(ch for ch in text if ch in CANCEL_ALPHABET)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4)) if len(text) == 12 else ""


def _cancel_digest(code: str) -> str:
    return keyed_digest(code, CANCEL_PURPOSE)


@transaction.atomic
def event_signup(*, occurrence: Occurrence, alias: str, email: str = "") -> EventSignup:
    """Take a place in a session, or a place on its waiting list once it is full.

    The returned sign-up carries `cancel_code`, shown once to the person; only its keyed
    hash is stored."""
    event = EventPage.objects.select_for_update().get(pk=occurrence.event.pk)
    if occurrence.start < timezone.now():
        raise ValidationError(_("This session has already started."))
    taken, _waiting = signup_counts(event, occurrence)
    code = _cancel_code()
    booking = EventSignup.objects.create(
        event=event,
        occurrence=occurrence.start,
        alias=alias.strip(),
        email=email.strip(),
        waiting=taken >= event.capacity,
        cancel_digest=_cancel_digest(code),
    )
    booking.cancel_code = code
    return booking


class CancelForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Your cancellation code"),
        help_text=gettext_lazy("The code shown when you signed up, like 7K2M-Q9PD-X4RT."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = cancel_code_normalise(self.cleaned_data["code"])
        if not code:
            raise ValidationError(_("That is not a cancellation code. Check it and try again."))
        return code


def cancel_purpose(program_page: ProgramPage) -> str:
    return f"event-cancel:{program_page.pk}"


@dataclasses.dataclass
class Cancelled:
    occurrence: Occurrence
    was_waiting: bool
    promoted: bool  # someone on the waiting list got the place


@transaction.atomic
def signup_cancel(*, program_page: ProgramPage, code: str) -> Cancelled | None:
    """Give up a place (or a place on the waiting list) with the code from signing up. The
    first on the waiting list moves up, and hears about it by email if they gave one."""
    code = cancel_code_normalise(code)
    if not code:
        return None
    signup = (
        EventSignup.objects.filter(
            cancel_digest=_cancel_digest(code),
            event__in=EventPage.objects.descendant_of(program_page),
        )
        .select_related("event")
        .first()
    )
    if signup is None:
        return None
    # The same lock as signing up, so a freed place goes to exactly one person.
    event = EventPage.objects.select_for_update().get(pk=signup.event_id)
    occurrence = Occurrence(event, signup.occurrence)
    if occurrence.start < timezone.now():
        raise ValidationError(_("This session has already started; there is nothing to cancel."))
    was_waiting = signup.waiting
    signup.delete()
    promoted = None
    taken, _waiting = signup_counts(event, occurrence)
    if taken < event.capacity:
        promoted = (
            EventSignup.objects.filter(event=event, occurrence=occurrence.start, waiting=True)
            .order_by("pk")
            .first()
        )
    if promoted is not None:
        promoted.waiting = False
        promoted.save(update_fields=["waiting"])
        if promoted.email:
            transaction.on_commit(lambda: _place_freed_send(signup_id=promoted.pk))
    return Cancelled(occurrence=occurrence, was_waiting=was_waiting, promoted=promoted is not None)


def _place_freed_send(*, signup_id: int) -> None:
    """Tell the person who moved up from the waiting list that they have a place."""
    signup = EventSignup.objects.filter(pk=signup_id).select_related("event").first()
    if signup is None or not signup.email:
        return
    # The place is theirs either way; the email is a courtesy.
    _signup_email(signup, "emails/event_place_freed.txt")


def _signup_email(signup: EventSignup, template: str) -> bool:
    """Send one of the sign-up emails (subject on the template's first line) to the address
    the person gave; False, and logged, if it could not be sent."""
    program = _program_of(signup.event)
    context = {
        "signup": signup,
        "occurrence": Occurrence(signup.event, signup.occurrence),
        "program": program.name if program else "",
    }
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
    subject, _sep, text = body.partition("\n")
    try:
        send_mail(subject.strip(), text.strip(), settings.DEFAULT_FROM_EMAIL, [signup.email])
    except Exception:
        logger.exception("a sign-up email could not be sent (%s)", template)
        return False
    return True


def signups_purge_past(*, now: dt.datetime | None = None) -> int:
    """Delete sign-ups (aliases and reminder emails) of sessions that are over."""
    now = now or timezone.now()
    past = EventSignup.objects.filter(occurrence__lt=now).select_related("event")
    over = [
        s.pk for s in past if s.occurrence + dt.timedelta(minutes=s.event.duration_minutes) <= now
    ]
    EventSignup.objects.filter(pk__in=over).delete()
    return len(over)


# ---------------------------------------------------------------- the index, for old programs


def event_index_ensure(program_page: ProgramPage) -> list[str]:
    """Add the program's events section if it has none (safe to run again)."""
    if EventIndexPage.objects.child_of(program_page).exists():
        return []
    title = _("Peer groups and events")
    program_page.add_child(
        instance=EventIndexPage(
            title=title,
            slug="events",
            intro="<p>{}</p>".format(
                _("Peer groups, trainings and information sessions in the coming weeks.")
            ),
        )
    )
    return [_("created the %(section)s section") % {"section": title}]


def event_index_ensure_all() -> None:
    """For programs made before events existed (run after every migrate)."""
    for program_page in ProgramPage.objects.all():
        event_index_ensure(program_page)


# ---------------------------------------------------------------- iCal


def feed_url(program) -> str:
    return reverse("events_feed", args=[program.slug])


def event_ics_url(program, event: EventPage) -> str:
    return reverse("event_ics", args=[program.slug, event.pk])


def calendar_ics(*, events, name: str, host: str) -> bytes:
    """A calendar of the events; series as RRULE with EXDATE. No link, no one's name."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Peer support toolkit//events//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", f"event-{event.pk}@{host}")
        vevent.add("dtstamp", event.last_published_at or timezone.now())
        vevent.add("summary", event.title)
        vevent.add("dtstart", _local_start(event))
        vevent.add("duration", dt.timedelta(minutes=event.duration_minutes))
        vevent.add("description", strip_tags(event.description).strip())
        if event.mode == EventPage.Mode.IN_PERSON:
            vevent.add("location", event.place)
        else:
            vevent.add("location", str(event.get_mode_display()))
        if event.rrule:
            vevent.add("rrule", icalendar.vRecur.from_ical(event.rrule))
            exdates = exdate_list(event)
            if exdates:
                vevent.add("exdate", exdates)
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()


# ---------------------------------------------------------------- reminders

REMINDER_AHEAD = dt.timedelta(hours=24)


def signup_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Email a reminder to each person with a place in a session starting within a day who
    gave an email, then forget the email: it was kept for this one message."""
    now = now or timezone.now()
    due = EventSignup.objects.filter(
        waiting=False, email__isnull=False, occurrence__gte=now, occurrence__lt=now + REMINDER_AHEAD
    ).select_related("event")
    sent = 0
    for signup in due:
        # The place is kept if the reminder fails; it is only a courtesy.
        if not _signup_email(signup, "emails/event_reminder.txt"):
            continue
        EventSignup.objects.filter(pk=signup.pk).update(email=None)
        sent += 1
    return sent
