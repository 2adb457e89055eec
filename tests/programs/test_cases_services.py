"""The case services the views and the API share: who may do what, and nothing half-saved."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from programs import eligibility, permissions
from programs.models import Case, CaseAccess, CaseEvent, Message, SupporterProfile
from programs.services import cases
from tests.programs.caseload_support import make_request

pytestmark = pytest.mark.django_db

Status = Case.Status
OTHERS = [
    "other_supporter",
    "admin",
    "other_program_admin",
    "other_program_coordinator",
    "outsider",
]


@pytest.fixture
def profile(supporter):
    return SupporterProfile.objects.get(user=supporter)


@pytest.fixture
def case(program, coordinator, supporter, profile):
    case = make_request(program)
    cases.case_offer(case=case, supporter=profile, actor=coordinator)
    cases.case_accept(case=case, actor=supporter)
    return case


def _actions(case, actor):
    today = timezone.localdate()
    return {
        "reply": lambda: cases.staff_reply(case=case, actor=actor, body="hi"),
        "note": lambda: cases.note_add(
            case=case, actor=actor, contact_date=today, contact_type="phone"
        ),
        "refer": lambda: cases.referral_record(case=case, actor=actor, kind="eap"),
        "close": lambda: cases.case_close(case=case, actor=actor, outcome="supported"),
        "status": lambda: cases.case_status_set(case=case, actor=actor, status="active"),
        "handover": lambda: cases.handover_ask(case=case, actor=actor),
    }


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_but_the_handlers_can_work_a_case(request, case, who):
    actor = request.getfixturevalue(who)
    for name, action in _actions(case, actor).items():
        with pytest.raises(PermissionDenied):
            action()
        case.refresh_from_db()
        assert case.status == Status.NEW, name
    assert case.messages.count() == 0 and not case.notes.exists()
    assert not case.referrals.exists()


def test_the_assigned_supporter_can_do_everything_and_each_step_is_audited(case, supporter):
    for name, action in _actions(case, supporter).items():
        if name != "close":
            action()
    cases.case_close(case=case, actor=supporter, outcome="supported", via="api")
    actions = list(
        CaseAccess.objects.filter(actor=supporter).order_by("id").values_list("action", "via")
    )
    assert actions == [
        ("update", "web"),  # accept
        ("reply", "web"),
        ("note", "web"),
        ("refer", "web"),
        ("update", "web"),  # status
        ("update", "web"),  # handover
        ("update", "api"),  # close
    ]


def test_a_coordinator_can_reply_note_refer_and_close_but_not_ask_for_a_handover(case, coordinator):
    actions = _actions(case, coordinator)
    message = actions["reply"]()
    assert message.sender == Message.Sender.COORDINATOR
    actions["note"]()
    actions["refer"]()
    with pytest.raises(PermissionDenied):
        actions["handover"]()
    actions["close"]()
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_an_offered_supporter_cannot_work_the_case_before_accepting(
    program, coordinator, supporter, profile
):
    offered = make_request(program)
    cases.case_offer(case=offered, supporter=profile, actor=coordinator)
    for name, action in _actions(offered, supporter).items():
        with pytest.raises(PermissionDenied):
            action()
        offered.refresh_from_db()
        assert offered.status == Status.OFFERED, name


def test_a_closed_case_takes_no_more_work(case, supporter):
    cases.case_close(case=case, actor=supporter, outcome="supported")
    for name, action in _actions(case, supporter).items():
        with pytest.raises((ValidationError, PermissionDenied)):
            action()
        case.refresh_from_db()
        assert case.status == Status.CLOSED, name


def test_a_closed_case_cannot_be_offered_again(case, supporter, coordinator, other_supporter):
    cases.case_close(case=case, actor=supporter, outcome="supported")
    with pytest.raises(ValidationError):
        cases.case_offer(
            case=case,
            supporter=SupporterProfile.objects.get(user=other_supporter),
            actor=coordinator,
        )


def test_a_reply_moves_a_new_case_to_contacted(case, supporter):
    cases.staff_reply(case=case, actor=supporter, body="Hello")
    case.refresh_from_db()
    assert case.status == Status.CONTACTED and case.last_contact_at is not None


def test_a_note_with_an_unknown_contact_type_saves_nothing(case, supporter):
    with pytest.raises(ValidationError) as exc:
        cases.note_add(
            case=case, actor=supporter, contact_date=timezone.localdate(), contact_type="fax"
        )
    assert "contact_type" in exc.value.error_dict
    case.refresh_from_db()
    assert not case.notes.exists() and case.status == Status.NEW
    assert not CaseAccess.objects.filter(action="note").exists()


def test_a_long_note_is_refused(case, supporter):
    with pytest.raises(ValidationError) as exc:
        cases.note_add(
            case=case,
            actor=supporter,
            contact_date=timezone.localdate(),
            contact_type="phone",
            text="x" * 5001,
        )
    assert "text" in exc.value.error_dict


def test_a_note_keeps_the_latest_contact_date(case, supporter):
    today = timezone.localdate()
    cases.note_add(case=case, actor=supporter, contact_date=today, contact_type="phone")
    cases.note_add(
        case=case, actor=supporter, contact_date=today - timedelta(days=5), contact_type="phone"
    )
    case.refresh_from_db()
    assert timezone.localtime(case.last_contact_at).date() == today


def test_an_unknown_referral_kind_saves_nothing(case, supporter):
    with pytest.raises(ValidationError) as exc:
        cases.referral_record(case=case, actor=supporter, kind="Dr Smith at the clinic")
    assert "kind" in exc.value.error_dict
    case.refresh_from_db()
    assert not case.referrals.exists() and case.status == Status.NEW


def test_closing_without_a_known_outcome_changes_nothing(case, supporter):
    with pytest.raises(ValidationError):
        cases.case_close(case=case, actor=supporter, outcome="")
    case.refresh_from_db()
    assert case.status == Status.NEW and case.closed_at is None


def test_status_moves_are_limited_to_the_working_states(case, supporter):
    for status in ("queued", "offered", "withdrawn", "nonsense"):
        with pytest.raises(ValidationError):
            cases.case_status_set(case=case, actor=supporter, status=status)
    cases.case_status_set(case=case, actor=supporter, status="closed", outcome="other")
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_handover_is_pending_until_the_case_is_offered_again(
    case, supporter, coordinator, other_supporter
):
    assert not eligibility.handover_pending(case=case)
    cases.handover_ask(case=case, actor=supporter)
    cases.handover_ask(case=case, actor=supporter)
    assert eligibility.handover_pending(case=case)
    assert case.events.filter(kind=CaseEvent.Kind.HANDOVER).count() == 1
    cases.case_offer(
        case=case,
        supporter=SupporterProfile.objects.get(user=other_supporter),
        actor=coordinator,
    )
    assert not eligibility.handover_pending(case=case)


def test_after_reassignment_the_old_supporter_can_neither_see_nor_work_the_case(
    case, supporter, coordinator, other_supporter
):
    assert permissions.can_view_case(supporter, case)
    cases.case_offer(
        case=case,
        supporter=SupporterProfile.objects.get(user=other_supporter),
        actor=coordinator,
    )
    assert not permissions.can_view_case(supporter, case)
    for action in _actions(case, supporter).values():
        with pytest.raises(PermissionDenied):
            action()


def test_reassigning_to_the_same_supporter_is_refused(case, profile, coordinator):
    with pytest.raises(ValidationError):
        cases.case_offer(case=case, supporter=profile, actor=coordinator)


def test_audit_many_writes_one_row_per_case(program, coordinator):
    shown = [make_request(program) for _ in range(3)]
    cases.audit_many(cases=shown, actor=coordinator, action=CaseAccess.Action.VIEW)
    assert set(CaseAccess.objects.values_list("case_id", flat=True)) == {c.pk for c in shown}
