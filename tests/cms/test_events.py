"""Peer groups and events: series and their exceptions, sign-up without an account, the
waiting list, the link only after sign-up, the facilitators' list, iCal, and tenancy."""

import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from cms import events
from cms.models import EventIndexPage, EventPage, EventSignup, ProgramPage
from programs.models import SupporterProfile

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
LINK = "https://meet.example.org/peer-group-4821"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _index(program) -> EventIndexPage:
    return EventIndexPage.objects.child_of(ProgramPage.objects.get(program=program)).get()


def make_event(program, *, facilitators=(), **fields) -> EventPage:
    values = {
        "title": "Tuesday peer group",
        "slug": f"event-{EventPage.objects.count() + 1}",
        "kind": EventPage.Kind.PEER_GROUP,
        "mode": EventPage.Mode.ONLINE,
        "online_link": LINK,
        "time_zone": "Europe/London",
        "start": datetime(2026, 10, 6, 18, 0, tzinfo=UTC),  # 19:00 in London (BST)
        "duration_minutes": 90,
        "capacity": 8,
        **fields,
    }
    event = _index(program).add_child(instance=EventPage(**values))
    if facilitators:
        event.facilitators.set(facilitators)
        event.save_revision().publish()
    return event


def _local(occurrences):
    return [o.local_start.strftime("%Y-%m-%d %H:%M") for o in occurrences]


def _signup(client, event, program, occurrence, alias="Sam", email=""):
    url = reverse("event_signup", args=[program.slug, event.pk])
    form = client.get(url, {"session": occurrence.key})
    assert form.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', form.content.decode()).group(1)
    return client.post(
        url, {"form_token": token, "session": occurrence.key, "alias": alias, "email": email}
    )


@pytest.fixture
def facilitator(supporter):
    return SupporterProfile.objects.get(user=supporter)


# ---------------------------------------------------------------- recurrence


def test_a_weekly_series_skips_its_cancelled_date_and_keeps_the_wall_clock(program):
    event = make_event(
        program,
        repeat=EventPage.Repeat.WEEKLY,
        repeat_count=4,
        cancelled_dates="2026-10-13",
    )
    assert event.rrule == "FREQ=WEEKLY;COUNT=4"
    assert event.exdates == "20261013T190000"
    found = events.occurrences_between(event, NOW, NOW + timedelta(weeks=8))
    # London leaves summer time on 25 October: still 19:00 on the clock.
    assert _local(found) == ["2026-10-06 19:00", "2026-10-20 19:00", "2026-10-27 19:00"]
    assert [o.start.hour for o in found] == [18, 18, 19]


def test_a_monthly_series_meets_on_the_nth_weekday_across_a_clock_change(program):
    event = make_event(
        program,
        start=datetime(2026, 10, 13, 18, 30, tzinfo=UTC),  # second Tuesday, 19:30 BST
        repeat=EventPage.Repeat.MONTHLY,
        repeat_until=date(2027, 1, 31),
    )
    assert event.rrule.startswith("FREQ=MONTHLY;BYDAY=+2TU;UNTIL=20270131T")
    found = events.occurrences_between(event, NOW, NOW + timedelta(days=200))
    assert _local(found) == [
        "2026-10-13 19:30",
        "2026-11-10 19:30",
        "2026-12-08 19:30",
        "2027-01-12 19:30",
    ]


def test_a_fortnightly_series_meets_every_other_week(program):
    event = make_event(program, repeat=EventPage.Repeat.FORTNIGHTLY, repeat_count=3)
    found = events.occurrences_between(event, NOW, NOW + timedelta(weeks=8))
    assert _local(found) == ["2026-10-06 19:00", "2026-10-20 19:00", "2026-11-03 19:00"]


def test_a_series_that_never_ends_is_refused(program):
    with pytest.raises(ValidationError) as refused:
        make_event(program, repeat=EventPage.Repeat.WEEKLY)
    assert "never ends" in str(refused.value.message_dict["repeat_until"])
    assert not EventPage.objects.exists()


def test_a_one_off_session_in_the_past_is_refused(program):
    with pytest.raises(ValidationError) as refused:
        make_event(program, start=NOW - timedelta(hours=1))
    assert "already passed" in str(refused.value.message_dict["start"])
    # A series that began last month is fine: its coming sessions are listed.
    make_event(program, start=NOW - timedelta(days=30), repeat="weekly", repeat_count=10)


def test_a_bad_cancelled_date_is_named(program):
    with pytest.raises(ValidationError) as refused:
        make_event(program, repeat="weekly", repeat_count=3, cancelled_dates="13/10/2026")
    assert "13/10/2026" in str(refused.value.message_dict["cancelled_dates"])


# ---------------------------------------------------------------- the index


def test_the_index_lists_the_coming_sessions_and_filters_by_kind(client, program):
    make_event(program, title="Tuesday peer group", repeat="weekly", repeat_count=20)
    make_event(
        program,
        title="Listening skills training",
        kind=EventPage.Kind.TRAINING,
        mode=EventPage.Mode.IN_PERSON,
        online_link="",
        place="Station 3, room 2",
    )
    url = _index(program).url
    html = client.get(url).content.decode()
    assert "Listening skills training" in html
    # Eight weeks ahead, not the whole series of twenty.
    assert html.count("Tuesday peer group") == 8
    # On the event's own clock, before and after London's clocks go back.
    assert "Tuesday 6 October 2026, 19:00" in html
    assert "Tuesday 27 October 2026, 19:00" in html
    assert LINK not in html
    training_only = client.get(url, {"kind": "training"}).content.decode()
    assert "Listening skills training" in training_only
    assert "Tuesday peer group" not in training_only


def test_another_programs_events_never_show_on_this_programs_index(client, program, other_program):
    make_event(program, title="City peer group")
    other = make_event(other_program, title="River hospital night-shift group")
    html = client.get(_index(program).url).content.decode()
    assert "City peer group" in html
    assert "River hospital" not in html
    # Nor through this program's addresses.
    url = reverse("event_signup", args=[program.slug, other.pk])
    assert client.get(url).status_code == 404
    feed = client.get(reverse("events_feed", args=[program.slug])).content.decode()
    assert "River hospital" not in feed and "City peer group" in feed


def test_facilitators_are_shown_by_first_name_only(client, program, facilitator):
    profile = facilitator
    make_event(program, facilitators=[profile])
    profile.display_name = "Jordan Smith-Okafor"
    profile.save()
    event = EventPage.objects.get()
    html = client.get(event.url).content.decode()
    assert "With Jordan" in html
    assert "Smith-Okafor" not in html


def test_existing_programs_get_their_events_section_once(program):
    _index(program).delete()
    events.event_index_ensure_all()
    events.event_index_ensure_all()
    assert EventIndexPage.objects.child_of(ProgramPage.objects.get(program=program)).count() == 1


# ---------------------------------------------------------------- sign-up


def test_anonymous_sign_up_fills_the_places_then_the_waiting_list(program):
    event = make_event(program, capacity=1)
    first = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    client = Client()
    placed = _signup(client, event, program, first, alias="Sam")
    assert placed.status_code == 200
    assert "You are signed up" in placed.content.decode()
    assert not placed.cookies
    waiting = _signup(client, event, program, first, alias="Robin", email="robin@example.org")
    html = waiting.content.decode()
    assert "You are on the waiting list" in html
    assert LINK not in html  # a place first, then the link
    assert [(s.alias, s.waiting) for s in EventSignup.objects.all()] == [
        ("Sam", False),
        ("Robin", True),
    ]
    # The reminder email is stored encrypted.
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM cms_eventsignup WHERE alias = 'Robin'")
        stored = cursor.fetchone()[0]
    assert "robin" not in stored
    assert EventSignup.objects.get(alias="Robin").email == "robin@example.org"


def test_the_online_link_shows_only_on_the_confirmation(client, program):
    event = make_event(program)
    occurrence = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    assert LINK not in client.get(event.url).content.decode()
    form = client.get(
        reverse("event_signup", args=[program.slug, event.pk]), {"session": occurrence.key}
    )
    assert LINK not in form.content.decode()
    assert not form.cookies
    done = _signup(client, event, program, occurrence)
    assert LINK in done.content.decode()
    ics = client.get(reverse("event_ics", args=[program.slug, event.pk])).content.decode()
    assert LINK not in ics


def test_a_sign_up_form_is_sent_once_and_for_a_real_session(client, program):
    event = make_event(program)
    occurrence = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    url = reverse("event_signup", args=[program.slug, event.pk])
    form = client.get(url, {"session": occurrence.key}).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    data = {"form_token": token, "session": occurrence.key, "alias": "Sam"}
    assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 409
    not_a_session = {**data, "session": "20261007T180000Z"}
    assert client.post(url, not_a_session).status_code == 400
    assert EventSignup.objects.count() == 1


def test_sign_ups_are_deleted_after_the_session(program):
    event = make_event(program, duration_minutes=60)
    occurrence = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    events.event_signup(occurrence=occurrence, alias="Sam", email="sam@example.org")
    call_command("purge_expired", stdout=StringIO())
    assert EventSignup.objects.count() == 1
    with time_machine.travel(occurrence.end + timedelta(minutes=1)):
        out = StringIO()
        call_command("purge_expired", stdout=out)
    assert EventSignup.objects.count() == 0
    assert "Deleted 1 event sign-up" in out.getvalue()


# ---------------------------------------------------------------- who sees the sign-ups


def test_the_facilitator_sees_who_signed_up_and_others_do_not(
    program, facilitator, everyone, other_program
):
    event = make_event(program, title="Night-shift group", facilitators=[facilitator])
    occurrence = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    events.event_signup(occurrence=occurrence, alias="Nightowl", email="owl@example.org")
    url = reverse("caseload_events")

    def page(user):
        client = Client()
        client.force_login(user)
        return client.get(url)

    caseload = Client()
    caseload.force_login(everyone["supporter"])
    assert url in caseload.get(reverse("programs:caseload")).content.decode()
    own = page(everyone["supporter"]).content.decode()
    assert "Night-shift group" in own and "Nightowl" in own
    assert "owl@example.org" not in own
    other_supporter = page(everyone["other_supporter"]).content.decode()
    assert "Nightowl" not in other_supporter and "Night-shift group" not in other_supporter
    hr = page(everyone["admin"])
    assert hr.status_code == 200
    assert "Night-shift group" in hr.content.decode()
    assert "1 / 8" in hr.content.decode()
    assert "Nightowl" not in hr.content.decode()
    elsewhere = page(everyone["other_program_admin"])
    assert "Night-shift group" not in elsewhere.content.decode()
    assert page(everyone["outsider"]).status_code == 404


# ---------------------------------------------------------------- iCal


def test_the_calendar_parses_back_with_its_rule_and_exceptions(client, program):
    event = make_event(
        program, repeat="weekly", repeat_count=6, cancelled_dates="2026-10-13\n2026-10-27"
    )
    response = client.get(reverse("event_ics", args=[program.slug, event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    (vevent,) = cal.walk("VEVENT")
    assert vevent["SUMMARY"] == "Tuesday peer group"
    assert vevent["RRULE"]["FREQ"] == ["WEEKLY"] and vevent["RRULE"]["COUNT"] == [6]
    start = vevent.decoded("DTSTART")
    assert (start.hour, str(start.tzinfo)) == (19, "Europe/London")
    exdates = [d.dt for d in vevent["EXDATE"].dts]
    assert [d.strftime("%Y-%m-%d %H:%M") for d in exdates] == [
        "2026-10-13 19:00",
        "2026-10-27 19:00",
    ]
    assert cal.walk("VTIMEZONE")
    feed = icalendar.Calendar.from_ical(
        client.get(reverse("events_feed", args=[program.slug])).content
    )
    assert [str(v["SUMMARY"]) for v in feed.walk("VEVENT")] == ["Tuesday peer group"]


# ---------------------------------------------------------------- editors and the page cache


def test_the_editor_chooses_facilitators_among_this_programs_active_supporters(
    client, program, admin, facilitator, other_program
):
    from tests.factories import make_active_supporter

    make_active_supporter(other_program, email="river@example.org", display_name="Riverside")
    paused = make_active_supporter(program, email="paused@example.org", display_name="Paused")
    paused.status = SupporterProfile.Status.PAUSED
    paused.save()
    client.force_login(admin)
    url = reverse("wagtailadmin_pages:add", args=("cms", "eventpage", _index(program).pk))
    html = client.get(url).content.decode()
    assert f'value="{facilitator.pk}"' in html
    assert "Riverside" not in html and "Paused" not in html
    # A series without an end comes back with the reason, not a server error.
    refused = client.post(
        url,
        {
            "title": "Endless group",
            "slug": "endless",
            "kind": "peer_group",
            "mode": "phone",
            "start": "2026-10-06 19:00",
            "time_zone": "Europe/London",
            "duration_minutes": "60",
            "capacity": "8",
            "repeat": "weekly",
            "action-publish": "publish",
        },
    )
    assert refused.status_code == 200
    assert "never ends" in refused.content.decode()
    assert not EventPage.objects.filter(slug="endless").exists()


def test_the_sign_up_form_is_never_cached_but_the_event_page_is(
    client, program, settings, django_assert_num_queries
):
    settings.TOOLKIT_PAGE_CACHE = True
    event = make_event(program)
    occurrence = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    url = reverse("event_signup", args=[program.slug, event.pk])
    tokens = [
        re.search(r'name="form_token" value="([^"]+)"', html).group(1)
        for html in (
            client.get(url, {"session": occurrence.key}).content.decode() for _ in range(2)
        )
    ]
    assert tokens[0] != tokens[1]
    assert "no-store" in client.get(url, {"session": occurrence.key})["Cache-Control"]
    client.get(event.url)
    with django_assert_num_queries(0):
        with_cache = client.get(event.url)
    assert with_cache.status_code == 200 and "Tuesday peer group" in with_cache.content.decode()


def test_a_reminder_goes_the_day_before_to_those_with_a_place_then_the_email_goes(program):
    from django.core import mail

    event = make_event(program, capacity=1)
    occurrence = events.occurrences_between(event, NOW, NOW + timedelta(weeks=1))[0]
    events.event_signup(occurrence=occurrence, alias="Sam", email="sam@example.org")
    events.event_signup(occurrence=occurrence, alias="Robin", email="robin@example.org")
    call_command("send_event_reminders", stdout=StringIO())
    assert mail.outbox == []  # five days ahead: not yet
    with time_machine.travel(occurrence.start - timedelta(hours=20)):
        call_command("send_event_reminders", stdout=StringIO())
        call_command("send_event_reminders", stdout=StringIO())
    (reminder,) = mail.outbox
    assert reminder.to == ["sam@example.org"]
    assert reminder.subject == f"Reminder: Tuesday peer group, {program.name}"
    assert "Hello Sam" in reminder.body and LINK in reminder.body
    assert "19:00" in reminder.body
    assert EventSignup.objects.get(alias="Sam").email == ""
    assert EventSignup.objects.get(alias="Robin").email == "robin@example.org"


# Training sessions on the supporter's training page.


def test_a_supporter_whose_training_is_missing_sees_its_coming_sessions(client, program):
    from programs.models import TrainingRequirement
    from tests.factories import make_member

    requirement = TrainingRequirement.objects.filter(program=program).first()
    other = TrainingRequirement.objects.filter(program=program).exclude(pk=requirement.pk).first()
    make_event(
        program,
        title="Peer skills refresher",
        kind=EventPage.Kind.TRAINING,
        training_requirement=requirement,
    )
    make_event(program, title="Unrelated group", kind=EventPage.Kind.PEER_GROUP)
    newcomer = make_member(program, "supporter", email="newcomer@example.org")  # no training yet
    client.force_login(newcomer)
    html = client.get(reverse("programs:caseload_training")).content.decode()
    assert html.count("Peer skills refresher") == 1  # under its own requirement only
    assert "Tuesday 6 October 2026, 19:00" in html
    assert "Unrelated group" not in html
    assert other is None or html.index(requirement.name) < html.index("Peer skills refresher")


def test_a_fully_trained_supporter_is_not_sent_to_sessions(client, program, supporter):
    from programs.models import TrainingRequirement

    requirement = TrainingRequirement.objects.filter(program=program).first()
    make_event(
        program,
        title="Peer skills refresher",
        kind=EventPage.Kind.TRAINING,
        training_requirement=requirement,
    )
    client.force_login(supporter)  # trained in full, valid for a year
    html = client.get(reverse("programs:caseload_training")).content.decode()
    assert "Peer skills refresher" not in html


def test_a_session_counts_only_towards_its_own_programs_training(program, other_program):
    from cms.models import EventPageForm
    from programs.models import TrainingRequirement

    event = make_event(program, kind=EventPage.Kind.TRAINING)
    form_class = EventPage.get_edit_handler().get_form_class()
    assert issubclass(form_class, EventPageForm)
    form = form_class(instance=event, for_user=None)
    offered = set(form.fields["training_requirement"].queryset)
    assert offered == set(TrainingRequirement.objects.filter(program=program))
    assert not offered & set(TrainingRequirement.objects.filter(program=other_program))
