"""The training ledger from the supporter's side, and expiry reminders."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from programs import eligibility
from programs.models import SupporterProfile, TrainingCompletion, TrainingRequirement
from programs.services import training
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)


@pytest.fixture
def profile(supporter):
    return SupporterProfile.objects.get(user=supporter)


@pytest.fixture
def training_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    return root.add_child(instance=Page(title="Fundamentals module", slug="fundamentals-module"))


@pytest.fixture
def fundamentals(program, training_page):
    requirement = program.training_requirements.get(name="Peer support fundamentals")
    requirement.page = training_page
    requirement.save()
    return requirement


def _requirement(program, name):
    return TrainingRequirement.objects.get(program=program, name=name)


def _set(profile, name, **fields):
    profile.completions.filter(requirement__name=name).update(**fields)


def test_the_training_page_shows_each_requirement_with_its_state(client, program, profile):
    today = timezone.localdate()
    _set(profile, "Peer support fundamentals", expires_on=None)
    _set(profile, "Confidentiality and boundaries", expires_on=today + timedelta(days=400))
    _set(profile, "Suicide intervention", expires_on=today - timedelta(days=1))
    profile.completions.filter(requirement__name="Critical-incident peer support").delete()
    refresher = TrainingRequirement.objects.create(
        program=program, name="Refresher", is_required=False, sort_order=99
    )
    TrainingCompletion.objects.create(
        supporter=profile,
        requirement=refresher,
        completed_on=today - timedelta(days=300),
        expires_on=today + timedelta(days=30),
    )

    states = {
        row.requirement.name: row.state
        for row in eligibility.training_ledger(supporters=[profile.pk])[profile.pk]
    }
    assert states == {
        "Peer support fundamentals": "done",
        "Confidentiality and boundaries": "valid",
        "Suicide intervention": "expired",
        "Critical-incident peer support": "missing",
        "Refresher": "expiring",
    }

    client.force_login(profile.user)
    html = client.get("/caseload/training/").content.decode()
    assert ">Done<" in html
    assert "Done, expires on" in html
    assert "Expired on" in html
    assert ">Missing<" in html
    assert "Expires soon, on" in html
    assert "(optional)" in html


def test_the_newest_completion_counts_when_training_was_renewed(program, profile):
    today = timezone.localdate()
    requirement = _requirement(program, "Suicide intervention")
    _set(profile, "Suicide intervention", expires_on=today - timedelta(days=30))
    TrainingCompletion.objects.create(
        supporter=profile,
        requirement=requirement,
        completed_on=today,
        expires_on=today + timedelta(days=900),
    )
    rows = eligibility.training_ledger(supporters=[profile.pk])[profile.pk]
    row = next(r for r in rows if r.requirement == requirement)
    assert (row.state, row.expires_on) == ("valid", today + timedelta(days=900))


def test_lapsed_training_drops_a_supporter_from_matching_and_they_see_why(client, program, profile):
    request = make_request(program)
    assert eligibility.candidates(case=request).filter(pk=profile.pk).exists()
    expired_on = timezone.localdate() - timedelta(days=2)
    _set(profile, "Suicide intervention", expires_on=expired_on)

    assert not eligibility.candidates(case=request).filter(pk=profile.pk).exists()
    client.force_login(profile.user)
    html = client.get("/caseload/").content.decode()
    assert "You are not receiving new requests in City Fire" in html
    assert "Your “Suicide intervention” training expired on" in html


def test_missing_training_is_named_on_the_caseload(client, program, profile):
    profile.completions.filter(requirement__name="Confidentiality and boundaries").delete()
    client.force_login(profile.user)
    html = client.get("/caseload/").content.decode()
    assert "Your “Confidentiality and boundaries” training is not recorded yet." in html


def test_a_supporter_reads_a_training_page_and_marks_it_complete(
    client, program, profile, fundamentals, training_page
):
    _set(profile, fundamentals.name, expires_on=timezone.localdate() - timedelta(days=5))
    request = make_request(program)
    assert not eligibility.candidates(case=request).filter(pk=profile.pk).exists()
    client.force_login(profile.user)
    html = client.get("/caseload/training/").content.decode()
    assert f'href="{training_page.url}"' in html

    url = reverse("programs:caseload_training_complete", args=[fundamentals.pk])
    response = client.post(url)
    assert response["Location"] == "/caseload/training/"
    completion = profile.completions.filter(requirement=fundamentals).order_by("-id").first()
    assert completion.source == TrainingCompletion.Source.PAGE
    assert completion.completed_on == timezone.localdate()
    assert completion.recorded_by == profile.user
    assert completion.expires_on > timezone.localdate() + timedelta(days=365 * 2)
    assert eligibility.candidates(case=request).filter(pk=profile.pk).exists()
    assert "is recorded as complete" in client.get("/caseload/training/").content.decode()


def test_training_without_a_page_cannot_be_marked_read(client, program, profile):
    requirement = _requirement(program, "Suicide intervention")
    client.force_login(profile.user)
    before = TrainingCompletion.objects.count()
    url = reverse("programs:caseload_training_complete", args=[requirement.pk])
    assert client.post(url).status_code == 404
    assert TrainingCompletion.objects.count() == before


@pytest.mark.parametrize(
    "who",
    ["admin", "coordinator", "other_program_admin", "other_program_coordinator", "outsider"],
)
def test_only_supporters_of_the_program_can_mark_its_training_read(
    client, request, fundamentals, who
):
    client.force_login(request.getfixturevalue(who))
    before = TrainingCompletion.objects.count()
    url = reverse("programs:caseload_training_complete", args=[fundamentals.pk])
    assert client.post(url).status_code == 404
    assert TrainingCompletion.objects.count() == before


def test_a_supporter_of_another_program_cannot_mark_this_programs_training(
    client, other_program, fundamentals
):
    from tests.factories import make_active_supporter

    stranger = make_active_supporter(other_program, email="stranger@example.org")
    client.force_login(stranger.user)
    url = reverse("programs:caseload_training_complete", args=[fundamentals.pk])
    assert client.post(url).status_code == 404
    assert not stranger.completions.filter(requirement=fundamentals).exists()


def test_marking_training_read_records_it_for_me_only(
    client, profile, other_supporter, fundamentals
):
    other = SupporterProfile.objects.get(user=other_supporter)
    client.force_login(other_supporter)
    client.post(reverse("programs:caseload_training_complete", args=[fundamentals.pk]))
    assert other.completions.filter(requirement=fundamentals, source="page").count() == 1
    assert not profile.completions.filter(requirement=fundamentals, source="page").exists()


def test_marking_training_read_needs_sign_in_and_a_post(client, supporter, fundamentals):
    url = reverse("programs:caseload_training_complete", args=[fundamentals.pk])
    assert client.post(url)["Location"].startswith("/accounts/login/")
    client.force_login(supporter)
    assert client.get(url).status_code == 405
    assert not TrainingCompletion.objects.filter(source="page").exists()


# Reminders


def _expiring(profile, name, on):
    _set(profile, name, expires_on=on, reminded_6m=False, reminded_3m=False)


def test_reminders_go_out_six_then_three_months_before_expiry_once_each(
    program, profile, django_capture_on_commit_callbacks
):
    _expiring(profile, "Suicide intervention", date(2026, 8, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert training.training_reminders_send(today=TODAY) == 1
        assert training.training_reminders_send(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["supporter@example.org"]
    assert "expires in 6 months" in mail.outbox[0].subject
    assert "Suicide intervention" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        assert training.training_reminders_send(today=date(2026, 5, 10)) == 1
        assert training.training_reminders_send(today=date(2026, 5, 11)) == 0
    assert len(mail.outbox) == 2
    assert "expires in 3 months" in mail.outbox[1].subject


def test_a_training_already_within_three_months_gets_only_the_three_month_reminder(
    program, profile, django_capture_on_commit_callbacks
):
    _expiring(profile, "Suicide intervention", date(2026, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert training.training_reminders_send(today=TODAY) == 1
        assert training.training_reminders_send(today=TODAY + timedelta(days=1)) == 0
    assert [m.subject for m in mail.outbox] == [
        'Your training "Suicide intervention" expires in 3 months'
    ]


def test_no_reminder_for_training_far_off_already_expired_renewed_or_retired(
    program, profile, other_supporter, django_capture_on_commit_callbacks
):
    _expiring(profile, "Suicide intervention", date(2027, 6, 1))  # over 6 months away
    _expiring(profile, "Peer support fundamentals", date(2026, 3, 1))  # already expired
    _expiring(profile, "Confidentiality and boundaries", date(2026, 7, 1))
    TrainingCompletion.objects.create(  # ...but renewed since
        supporter=profile,
        requirement=_requirement(program, "Confidentiality and boundaries"),
        completed_on=TODAY,
        expires_on=date(2028, 3, 15),
    )
    other = SupporterProfile.objects.get(user=other_supporter)
    _expiring(other, "Suicide intervention", date(2026, 7, 1))
    other.status = SupporterProfile.Status.RETIRED
    other.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert training.training_reminders_send(today=TODAY) == 0
    assert mail.outbox == []


def test_the_reminder_command_is_idempotent_and_reports_what_it_sent(
    program, profile, django_capture_on_commit_callbacks
):
    _expiring(profile, "Suicide intervention", date(2026, 8, 1))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_training_reminders", "--today", "2026-03-15", stdout=out)
        call_command("send_training_reminders", "--today", "2026-03-15", stdout=out)
    assert out.getvalue().splitlines() == [
        "Sent 1 training reminder(s).",
        "Sent 0 training reminder(s).",
    ]
    assert len(mail.outbox) == 1


def test_the_reminder_command_explains_a_bad_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_training_reminders", "--today", "15/03/2026")
