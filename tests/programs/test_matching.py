"""Matching: who is eligible for a request, in what order, and why."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from programs import eligibility
from programs.models import (
    Case,
    CaseEvent,
    Language,
    Program,
    SupporterProfile,
    Topic,
    TrainingCompletion,
    Unit,
)
from programs.services import cases
from tests.factories import make_active_supporter, submit_request
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db


def _names(qs):
    return [s.display_name for s in qs]


@pytest.fixture
def unit(program):
    return Unit.objects.create(program=program, name="Station 3")


# Each rule, and how to break only that rule for one supporter.
def _paused(profile, request):
    profile.status = SupporterProfile.Status.PAUSED
    profile.save()


def _in_training(profile, request):
    profile.status = SupporterProfile.Status.IN_TRAINING
    profile.save()


def _account_off(profile, request):
    profile.user.is_active = False
    profile.user.save()


def _training_expired(profile, request):
    profile.completions.filter(requirement__name__icontains="suicide").update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )


def _training_missing(profile, request):
    profile.completions.filter(requirement__name__icontains="confidentiality").delete()


def _at_capacity(profile, request):
    profile.max_active_cases = 1
    profile.save()
    make_request(profile.program, assigned_to=profile, status=Case.Status.ACTIVE)


def _no_phone(profile, request):
    profile.offers_phone = False
    profile.save()


def _no_french(profile, request):
    profile.languages.set(Language.objects.filter(code="en"))


def _excluded_unit(profile, request):
    profile.unit = request.excluded_unit
    profile.save()


def _declined_before(profile, request):
    CaseEvent.objects.create(
        case=request, kind=CaseEvent.Kind.DECLINED, supporter=profile, reason="capacity"
    )


@pytest.mark.parametrize(
    "breaker, rule",
    [
        (_paused, "status"),
        (_in_training, "status"),
        (_account_off, "account"),
        (_training_expired, "training"),
        (_training_missing, "training"),
        (_at_capacity, "capacity"),
        (_no_phone, "channel"),
        (_no_french, "language"),
        (_excluded_unit, "unit"),
        (_declined_before, "declined"),
    ],
)
def test_a_supporter_breaking_one_rule_is_not_a_candidate_and_the_rule_is_named(
    program, unit, breaker, rule
):
    fine = make_active_supporter(program, email="fine@example.org", languages=("en", "fr"))
    other = make_active_supporter(program, email="other@example.org", languages=("en", "fr"))
    request = make_request(
        program,
        channel="phone",
        preferred_language=Language.objects.get(code="fr"),
        excluded_unit=unit,
    )
    assert set(_names(eligibility.candidates(case=request))) == {"fine", "other"}

    breaker(other, request)

    assert _names(eligibility.candidates(case=request)) == ["fine"]
    assessed = {s.display_name: s for s in eligibility.assess(case=request)}
    assert assessed["fine"].failed == []
    assert assessed["other"].failed == [rule]
    assert eligibility.why_not(assessed["other"])
    assert fine.pk in {s.pk for s in eligibility.candidates(case=request)}


def test_the_supporter_holding_a_request_is_not_offered_it_again(program):
    holder = make_active_supporter(program, email="holder@example.org")
    make_active_supporter(program, email="spare@example.org")
    request = make_request(program, assigned_to=holder, status=Case.Status.ACTIVE)
    assert _names(eligibility.candidates(case=request)) == ["spare"]
    assert {s.display_name: s.failed for s in eligibility.assess(case=request)}["holder"] == [
        "current"
    ]


def test_supporters_without_a_unit_are_eligible_when_a_unit_is_excluded(program, unit):
    make_active_supporter(program, email="nounit@example.org", unit=None)
    request = make_request(program, excluded_unit=unit)
    assert _names(eligibility.candidates(case=request)) == ["nounit"]


def test_training_that_does_not_count_as_required_does_not_block(program):
    profile = make_active_supporter(program, email="p@example.org")
    requirement = program.training_requirements.first()
    requirement.is_required = False
    requirement.save()
    profile.completions.filter(requirement=requirement).delete()
    assert _names(eligibility.candidates(case=make_request(program))) == ["p"]


def test_training_renewed_after_expiry_counts_again(program):
    profile = make_active_supporter(program, email="p@example.org")
    requirement = program.training_requirements.first()
    profile.completions.filter(requirement=requirement).update(
        expires_on=timezone.localdate() - timedelta(days=10)
    )
    request = make_request(program)
    assert _names(eligibility.candidates(case=request)) == []
    TrainingCompletion.objects.create(
        supporter=profile,
        requirement=requirement,
        completed_on=timezone.localdate(),
        expires_on=timezone.localdate() + timedelta(days=700),
    )
    assert _names(eligibility.candidates(case=request)) == ["p"]


def test_shared_lived_experience_ranks_first_and_counts_double_when_asked_for(program):
    make_active_supporter(program, email="plain@example.org")
    make_active_supporter(program, email="lived@example.org", topics=["grief", "trauma"])
    request = make_request(program, topics=["grief", "stress"])
    ranked = list(eligibility.candidates(case=request))
    assert _names(ranked) == ["lived", "plain"]
    assert ranked[0].shared_topics == 1
    assert ranked[0].score == eligibility.SHARED_EXPERIENCE_POINTS

    wanting = make_request(program, topics=["grief", "trauma"], wants_shared_experience=True)
    best = eligibility.candidates(case=wanting).first()
    assert best.display_name == "lived"
    assert best.score == 2 * 2 * eligibility.SHARED_EXPERIENCE_POINTS


def test_gender_preference_scores_regardless_of_case_and_spaces(program):
    make_active_supporter(program, email="a@example.org", gender="man")
    make_active_supporter(program, email="b@example.org", gender="Woman")
    request = make_request(program, preferred_gender=" woman ")
    ranked = list(eligibility.candidates(case=request))
    assert _names(ranked) == ["b", "a"]
    assert ranked[0].gender_match == 1 and ranked[1].gender_match == 0


def test_load_is_spread_to_the_supporter_with_fewer_cases(program):
    busy = make_active_supporter(program, email="busy@example.org")
    make_active_supporter(program, email="free@example.org")
    make_request(program, assigned_to=busy, status=Case.Status.ACTIVE)
    ranked = list(eligibility.candidates(case=make_request(program)))
    assert _names(ranked) == ["free", "busy"]
    assert ranked[1].active_cases == 1
    assert ranked[1].score == -eligibility.LOAD_PENALTY


def test_closed_cases_do_not_count_towards_load(program):
    profile = make_active_supporter(program, email="p@example.org", max_active_cases=1)
    make_request(
        program,
        assigned_to=profile,
        status=Case.Status.CLOSED,
        closed_at=timezone.now(),
    )
    assert _names(eligibility.candidates(case=make_request(program))) == ["p"]


def test_explanations_say_why_each_candidate_ranks_where_it_does(program):
    make_active_supporter(program, email="lived@example.org", topics=["grief"], gender="woman")
    request = make_request(program, topics=["grief"], preferred_gender="woman")
    best = eligibility.candidates(case=request).first()
    reasons = eligibility.explain(best, request)
    assert reasons == [
        "shares lived experience of 1 topic (+10)",
        "matches the gender preference (+5)",
        "0 of 5 cases in use (−0)",
        "score 15",
    ]


def test_queue_ranking_matches_per_request_candidates_in_few_queries(
    program, unit, django_assert_max_num_queries
):
    make_active_supporter(program, email="a@example.org", topics=["grief"], unit=unit)
    make_active_supporter(program, email="b@example.org", topics=["trauma"])
    make_active_supporter(program, email="c@example.org")
    requests = [
        make_request(program, topics=["grief"]),
        make_request(program, topics=["trauma"], excluded_unit=unit),
        make_request(program, channel="phone"),
    ]
    with django_assert_max_num_queries(7):
        ranked = eligibility.ranked_for_cases(
            cases=requests,
            per_case=2,
        )
    for request in requests:
        expected = _names(eligibility.candidates(case=request))[:2]
        assert _names(ranked.get(request.pk, [])) == expected
        for supporter in ranked.get(request.pk, []):
            assert supporter.eligible_count == eligibility.candidates(case=request).count()


def test_queue_ranking_agrees_with_candidates_over_generated_rosters(program, other_program):
    """The queue ranks in memory, `candidates` in SQL: over generated rosters and requests
    they name the same supporters in the same order, with the same scores and counts."""
    units = [Unit.objects.create(program=program, name=f"Station {n}") for n in range(2)]
    topics = list(Topic.objects.filter(slug__in=["grief", "trauma", "stress"]))
    languages = list(Language.objects.filter(code__in=["en", "fr"]))
    roster = [make_active_supporter(program, email=f"g{n}@example.org") for n in range(7)]
    roster.append(make_active_supporter(other_program, email="elsewhere@example.org"))
    channels = ["messages", "phone", "in_person"]
    seen = {"ranked": 0, "empty": 0}

    @hsettings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def check(data):
        with transaction.atomic():
            for profile in roster:
                profile.status = data.draw(st.sampled_from(["active", "active", "paused"]))
                profile.unit = data.draw(st.sampled_from([None, *units]))
                profile.gender = data.draw(st.sampled_from(["", "woman", " Woman", "man"]))
                profile.max_active_cases = data.draw(st.integers(1, 3))
                for channel in channels:
                    setattr(profile, f"offers_{channel}", data.draw(st.booleans()))
                profile.save()
                profile.lived_experience.set(data.draw(st.lists(st.sampled_from(topics))))
                profile.languages.set(data.draw(st.lists(st.sampled_from(languages))))
            requests = []
            for _ in range(data.draw(st.integers(1, 4))):
                request = make_request(
                    program,
                    channel=data.draw(st.sampled_from(channels)),
                    preferred_language=data.draw(st.sampled_from([None, *languages])),
                    excluded_unit=data.draw(st.sampled_from([None, *units])),
                    preferred_gender=data.draw(st.sampled_from(["", "woman", "MAN "])),
                    wants_shared_experience=data.draw(st.booleans()),
                )
                request.topics.set(data.draw(st.lists(st.sampled_from(topics), max_size=2)))
                holder = data.draw(st.sampled_from([None, *roster[:3]]))
                if holder is not None:  # a load for someone, and a current holder
                    Case.objects.filter(pk=request.pk).update(status="offered", assigned_to=holder)
                for decliner in data.draw(st.lists(st.sampled_from(roster[:7]), max_size=2)):
                    CaseEvent.objects.create(case=request, kind="declined", supporter=decliner)
                requests.append(request)
            per_case = data.draw(st.integers(1, 4))
            ranked = eligibility.ranked_for_cases(cases=requests, per_case=per_case)
            for request in requests:
                expected = list(eligibility.candidates(case=request))
                got = ranked.get(request.pk, [])
                fields = (
                    "pk",
                    "score",
                    "active_cases",
                    "case_cap",
                    "shared_topics",
                    "gender_match",
                )
                assert [[getattr(s, f) for f in fields] for s in got] == [
                    [getattr(s, f) for f in fields] for s in expected[:per_case]
                ]
                assert [eligibility.explain(s, request) for s in got] == [
                    eligibility.explain(s, request) for s in expected[:per_case]
                ]
                assert all(s.eligible_count == len(expected) for s in got)
                seen["ranked" if got else "empty"] += 1
            transaction.set_rollback(True)

    check()
    # Both sides of the property were exercised: some requests had candidates, some none.
    assert seen["ranked"] > 20 and seen["empty"] > 5


def test_candidates_come_from_the_requests_program_only(program, other_program):
    make_active_supporter(program, email="mine@example.org")
    make_active_supporter(other_program, email="theirs@example.org")
    assert _names(eligibility.candidates(case=make_request(program))) == ["mine"]


# Routing after intake


def test_auto_assign_offers_the_top_candidate_and_tells_them(
    program, coordinator, django_capture_on_commit_callbacks
):
    Program.objects.filter(pk=program.pk).update(auto_assign=True)
    program.refresh_from_db()
    make_active_supporter(program, email="plain@example.org")
    best = make_active_supporter(program, email="lived@example.org", topics=["grief"])
    topic = Topic.objects.get(slug="grief")
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_request(program, topics=[topic])
    request = Case.objects.get(pk=submission.case.pk)
    assert request.status == Case.Status.OFFERED
    assert request.assigned_to == best
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["coordinator@example.org", "lived@example.org"]


def test_without_auto_assign_the_request_waits_for_a_coordinator(
    program, coordinator, supporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_request(program)
    request = Case.objects.get(pk=submission.case.pk)
    assert request.status == Case.Status.QUEUED
    assert request.assigned_to is None and not request.no_match
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]


def test_when_nobody_is_eligible_coordinators_are_told_and_the_requester_sees_it(
    client, program, coordinator, django_capture_on_commit_callbacks
):
    make_active_supporter(program, email="paused@example.org", status="paused")
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_request(program)
    request = Case.objects.get(pk=submission.case.pk)
    assert request.no_match
    assert request.events.filter(kind=CaseEvent.Kind.NO_MATCH).count() == 1
    assert len(mail.outbox) == 1
    assert "No supporter is eligible" in mail.outbox[0].body

    response = client.post(f"/p/{program.slug}/status/", {"receipt_code": submission.receipt_code})
    assert "No peer supporter is free for your request right now" in response.content.decode()


def test_a_decline_returns_the_request_to_the_queue_with_a_reason_only(
    program, coordinator, supporter, other_supporter, django_capture_on_commit_callbacks
):
    request = make_request(program)
    profile = SupporterProfile.objects.get(user=supporter)
    cases.case_offer(case=request, supporter=profile, actor=coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_decline(case=request, actor=supporter, reason="conflict")
    request.refresh_from_db()
    assert request.status == Case.Status.QUEUED
    assert request.assigned_to is None
    event = request.events.get(kind=CaseEvent.Kind.DECLINED)
    assert (event.supporter, event.reason) == (profile, "conflict")
    assert _names(eligibility.candidates(case=request)) == ["other-supporter"]
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert "back in the queue" in mail.outbox[0].subject


def test_a_decline_with_auto_assign_goes_to_the_next_best_supporter(
    program, coordinator, supporter, other_supporter, django_capture_on_commit_callbacks
):
    Program.objects.filter(pk=program.pk).update(auto_assign=True)
    request = make_request(program)
    request.program.refresh_from_db()
    cases.case_offer(case=request, supporter=supporter.supporter_profiles.get(), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_decline(case=request, actor=supporter, reason="capacity")
    request.refresh_from_db()
    assert request.status == Case.Status.OFFERED
    assert request.assigned_to.user == other_supporter


def test_a_decline_needs_a_reason_from_the_list(program, coordinator, supporter):
    request = make_request(program)
    cases.case_offer(case=request, supporter=supporter.supporter_profiles.get(), actor=coordinator)
    with pytest.raises(ValidationError) as exc:
        cases.case_decline(case=request, actor=supporter, reason="I know who this is")
    assert "reason" in exc.value.error_dict
    request.refresh_from_db()
    assert request.status == Case.Status.OFFERED


def test_only_the_offered_supporter_can_accept_or_decline(
    program, coordinator, supporter, other_supporter
):
    request = make_request(program)
    cases.case_offer(case=request, supporter=supporter.supporter_profiles.get(), actor=coordinator)
    for actor in (other_supporter, coordinator):
        with pytest.raises(PermissionDenied):
            cases.case_accept(case=request, actor=actor)
        with pytest.raises(PermissionDenied):
            cases.case_decline(case=request, actor=actor, reason="other")
    cases.case_accept(case=request, actor=supporter)
    assert request.status == Case.Status.NEW


@pytest.mark.parametrize("who", ["admin", "supporter", "other_program_coordinator", "outsider"])
def test_only_coordinators_of_the_program_can_offer(request, program, supporter, who):
    actor = request.getfixturevalue(who)
    case = make_request(program)
    with pytest.raises(PermissionDenied):
        cases.case_offer(case=case, supporter=supporter.supporter_profiles.get(), actor=actor)
    case.refresh_from_db()
    assert case.assigned_to is None


def test_a_coordinator_cannot_offer_to_an_ineligible_supporter(program, coordinator, unit):
    member = make_active_supporter(program, email="near@example.org", unit=unit)
    case = make_request(program, excluded_unit=unit)
    with pytest.raises(ValidationError) as exc:
        cases.case_offer(case=case, supporter=member, actor=coordinator)
    assert "supporter" in exc.value.error_dict
    case.refresh_from_db()
    assert case.status == Case.Status.QUEUED and case.assigned_to is None
    assert not case.events.exists()


def test_a_coordinator_cannot_offer_a_supporter_of_another_program(
    program, other_program, coordinator
):
    stranger = make_active_supporter(other_program, email="stranger@example.org")
    case = make_request(program)
    with pytest.raises(ValidationError):
        cases.case_offer(case=case, supporter=stranger, actor=coordinator)


# The property the requester relies on most.


def test_an_excluded_unit_supporter_never_gets_the_request(
    program, coordinator, django_capture_on_commit_callbacks
):
    units = [Unit.objects.create(program=program, name=f"Station {n}") for n in range(3)]
    roster = [
        make_active_supporter(program, email=f"s{n}@example.org", topics=["grief"])
        for n in range(6)
    ]
    grief = Topic.objects.get(slug="grief")
    seen = {"refused_for_unit": 0, "assigned": 0}

    # A fixed seed: the examples, and so the "tested, not skipped" counts below, do not depend
    # on what other tests in the same worker did to the random state before.
    @hsettings(
        max_examples=100,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def check(data):
        with transaction.atomic():
            for profile in roster:
                profile.unit = data.draw(st.sampled_from([None, *units]))
                profile.max_active_cases = data.draw(st.integers(1, 3))
                profile.save(update_fields=["unit", "max_active_cases"])
            excluded = data.draw(st.sampled_from(units))
            auto = data.draw(st.booleans())
            Program.objects.filter(pk=program.pk).update(auto_assign=auto)
            with django_capture_on_commit_callbacks(execute=True):
                submission = submit_request(
                    program,
                    excluded_unit=excluded,
                    topics=data.draw(st.sampled_from([[], [grief]])),
                )
            request = Case.objects.get(pk=submission.case.pk)
            if not auto:
                chosen = data.draw(st.sampled_from(roster))
                try:
                    cases.case_offer(case=request, supporter=chosen, actor=coordinator)
                except ValidationError:
                    seen["refused_for_unit"] += chosen.unit_id == excluded.pk
                request.refresh_from_db()
            ranked = eligibility.ranked_for_cases(cases=[request], per_case=6)
            assert all(s.unit_id != excluded.pk for s in ranked.get(request.pk, []))
            if request.assigned_to_id is not None:
                assert request.assigned_to.unit_id != excluded.pk
                seen["assigned"] += 1
            transaction.set_rollback(True)

    check()
    # The property was tested, not skipped: some offers were refused, some went through.
    assert seen["refused_for_unit"] > 0 and seen["assigned"] > 0


def test_a_routing_failure_still_gives_the_requester_a_code_and_tells_coordinators(
    program, coordinator, supporter, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(eligibility, "candidates", broken)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_request(program)
    assert submission.receipt_code
    request = Case.objects.get(pk=submission.case.pk)
    assert request.status == Case.Status.QUEUED
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
