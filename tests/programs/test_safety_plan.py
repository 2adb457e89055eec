"""Issue 15 (safety plan and recovery roadmap) and issue 14 item 5 (the requester's copy)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from privacy import crypto
from programs.models import Case, CaseAccess, HelpResource, Message, PlanProposal, SafetyPlan
from programs.services import cases, plans
from tests.programs.test_intake_flow import look_up, new_request, take_on, text

pytestmark = pytest.mark.django_db


def plan_url(program):
    return reverse("programs:status_plan", args=[program.slug])


def copy_url(program):
    return reverse("programs:status_copy", args=[program.slug])


def supporter_url(case):
    return reverse("programs:caseload_plan", args=[case.pk])


def post_plan(client, program, code, action="view", **fields):
    return client.post(plan_url(program), {"receipt_code": code, "action": action, **fields})


def crisis_line(program):
    return HelpResource.objects.filter(program=program, kind="crisis").first()


def articles(program):
    return plans.program_articles(program=program)


@pytest.fixture
def taken(client, program, coordinator, supporter):
    code, case = new_request(client, program)
    return code, take_on(case, coordinator, supporter)


# Building the plan on one's own.


def test_the_person_writes_their_own_plan_without_a_supporter(client, program):
    code, case = new_request(client, program)
    line = crisis_line(program)
    response = post_plan(
        client,
        program,
        code,
        "save",
        warning_signs="Not sleeping, snapping at the crew",
        reasons="My kids",
        services=[str(line.pk)],
        goals="Sleep through the night",
        step_0_text="Walk after each shift",
        step_0_target="2030-01-31",
        new_checkin="Two good nights",
    )
    assert response.status_code == 200, text(response)[:3000]
    page = text(response)
    assert "Your plan has been saved." in page
    assert "Not sleeping, snapping at the crew" in page
    assert "Walk after each shift" in page
    assert "Two good nights" in page
    # Encrypted at rest: the words are not in the stored column.
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM programs_safetyplan")
        (token,) = cursor.fetchone()
    assert "My kids" not in token and "My kids" in crypto.decrypt(token)
    assert CaseAccess.objects.filter(
        case_id=case.pk, action=CaseAccess.Action.REQUESTER_EDIT
    ).exists()


def test_reach_out_now_lists_the_crisis_lines_first_on_every_plan_page(client, program):
    code, _case = new_request(client, program)
    line = crisis_line(program)
    for action in ("view", "edit", "print"):
        page = text(post_plan(client, program, code, action))
        assert line.name in page, action
    view = text(post_plan(client, program, code))
    reach_out = view.index("Reach out now")
    assert reach_out < view.index("My warning signs")
    assert view.index(line.name, reach_out) < view.index("My warning signs")


def test_over_long_entries_come_back_with_a_message_and_everything_typed(client, program):
    code, case = new_request(client, program)
    long = "x" * (plans.MAX_PART_LENGTH + 1)
    response = post_plan(
        client,
        program,
        code,
        "save",
        coping=long,
        reasons="Keep me",
        step_0_text="Walk",
        step_0_target="2030-02-30",
    )
    assert response.status_code == 400
    page = text(response)
    assert "Please keep this under 2000 characters (it is 2001 now)." in page
    assert "give the date as year-month-day" in page
    assert long in page and "Keep me" in page
    assert not SafetyPlan.objects.filter(case=case).exists()


def test_a_closed_case_plan_can_be_read_and_kept_but_not_changed(client, program, taken, supporter):
    code, case = taken
    plans.requester_plan_save(case=case, data={"reasons": "My dog"})
    cases.case_close(case=case, actor=supporter, outcome="supported", closing_message="Bye")
    response = post_plan(client, program, code, "save", reasons="Changed")
    assert response.status_code == 400
    page = text(response)
    assert "This conversation is closed, so the plan can no longer be changed." in page
    assert "Changed" in page  # what was typed is still there
    assert plans.plan_content(case=case)["reasons"] == "My dog"
    view = text(post_plan(client, program, code))
    assert "My dog" in view and "will be deleted with it on" in view


# Built together: proposals.


def _propose(client, case, supporter, **fields):
    client.force_login(supporter)
    return client.post(supporter_url(case), fields)


def test_the_supporter_proposes_and_the_person_accepts(client, program, taken, supporter):
    code, case = taken
    article = articles(program)[0]
    response = _propose(
        client,
        case,
        supporter,
        coping="Box breathing",
        step_0_text="Read about grounding",
        step_0_article=str(article.pk),
        note="Something we talked about",
    )
    assert response.status_code == 302, text(response)[:3000]
    assert plans.plan_content(case=case)["coping"] == ""  # nothing changes until they accept
    client.logout()
    view = text(post_plan(client, program, code))
    assert "Your peer supporter proposes a plan" in view
    assert "Something we talked about" in view and "Box breathing" in view
    proposal = PlanProposal.objects.get(case=case)
    accepted = text(post_plan(client, program, code, "accept", proposal=proposal.pk))
    assert "You accepted the proposal." in accepted
    assert f'href="{article.url}"' in accepted
    assert plans.plan_content(case=case)["coping"] == "Box breathing"
    again = post_plan(client, program, code, "accept", proposal=proposal.pk)
    assert "You have already answered that proposal." in text(again)


def test_the_person_changes_a_proposal_before_accepting_it(client, program, taken, supporter):
    code, case = taken
    _propose(client, case, supporter, reasons="Your family")
    client.logout()
    proposal = PlanProposal.objects.get(case=case)
    review = text(post_plan(client, program, code, "review", proposal=proposal.pk))
    assert "Your family" in review and "Accept with my changes" in review
    done = post_plan(
        client, program, code, "accept-changed", proposal=proposal.pk, reasons="My sister"
    )
    assert done.status_code == 200
    assert plans.plan_content(case=case)["reasons"] == "My sister"
    proposal.refresh_from_db()
    assert proposal.status == PlanProposal.Status.ACCEPTED


def test_the_person_rejects_a_proposal_and_keeps_their_plan(client, program, taken, supporter):
    code, case = taken
    plans.requester_plan_save(case=case, data={"reasons": "Mine"})
    _propose(client, case, supporter, reasons="Theirs")
    client.logout()
    proposal = PlanProposal.objects.get(case=case)
    page = text(post_plan(client, program, code, "reject", proposal=proposal.pk))
    assert "You turned the proposal down." in page
    assert plans.plan_content(case=case)["reasons"] == "Mine"
    proposal.refresh_from_db()
    assert proposal.status == PlanProposal.Status.REJECTED


def test_a_supporter_proposal_to_a_closed_case_says_so_and_keeps_the_words(
    client, program, taken, supporter
):
    code, case = taken
    plans.requester_plan_save(case=case, data={"reasons": "private reason"})
    cases.case_close(case=case, actor=supporter, outcome="supported", closing_message="Bye")
    client.force_login(supporter)
    assert client.get(supporter_url(case)).status_code == 404
    response = client.post(supporter_url(case), {"coping": "typed by the supporter"})
    assert response.status_code == 400
    page = text(response)
    assert "This case is closed" in page and "typed by the supporter" in page
    assert "private reason" not in page


def test_an_over_long_proposal_keeps_what_the_supporter_typed(client, program, taken, supporter):
    _code, case = taken
    long = "y" * (plans.MAX_STEP_LENGTH + 1)
    response = _propose(client, case, supporter, step_0_text=long, goals="Keep this goal")
    assert response.status_code == 400
    page = text(response)
    assert "Step 1: Please keep this under 300 characters" in page
    assert long in page and "Keep this goal" in page
    assert not PlanProposal.objects.exists()


# Visibility.


def test_only_the_person_and_the_assigned_supporter_see_the_plan(
    client, program, taken, supporter, everyone
):
    code, case = taken
    plans.requester_plan_save(case=case, data={"reasons": "secret-reason-marker"})
    client.force_login(supporter)
    page = client.get(supporter_url(case))
    assert page.status_code == 200 and "secret-reason-marker" in text(page)
    for role in ("admin", "coordinator", "other_supporter", "other_program_admin", "outsider"):
        client.force_login(everyone[role])
        assert client.get(supporter_url(case)).status_code == 404, role
        assert client.post(supporter_url(case), {"reasons": "x"}).status_code == 404, role
        for url in (
            reverse("programs:caseload_case", args=[case.pk]),
            reverse("programs:coordinate_request", args=[program.slug, case.pk]),
        ):
            response = client.get(url)
            assert "secret-reason-marker" not in text(response), (role, url)
    assert PlanProposal.objects.count() == 0
    assert CaseAccess.objects.filter(
        case_id=case.pk, action=CaseAccess.Action.PLAN_VIEW, actor=supporter
    ).exists()


def test_a_reassigned_supporter_loses_the_plan(
    client, program, taken, coordinator, supporter, other_supporter
):
    _code, case = taken
    other = other_supporter.supporter_profiles.get(program=program)
    cases.case_offer(case=case, supporter=other, actor=coordinator)
    client.force_login(supporter)
    assert client.get(supporter_url(case)).status_code == 404
    client.force_login(other_supporter)
    assert client.get(supporter_url(case)).status_code == 404  # offered, not yet accepted
    cases.case_accept(case=case, actor=other_supporter)
    assert client.get(supporter_url(case)).status_code == 200


def test_a_code_of_another_case_never_opens_this_plan(client, program, other_program):
    code, case = new_request(client, program)
    plans.requester_plan_save(case=case, data={"reasons": "first person"})
    other_code, _other = new_request(client, other_program)
    page = text(post_plan(client, program, other_code))
    assert "first person" not in page
    assert post_plan(client, program, "NOPE-NOPE").status_code == 404


# Print and download.


def test_the_printable_plan_can_leave_out_the_program_name(client, program):
    code, case = new_request(client, program)
    plans.requester_plan_save(case=case, data={"reasons": "Printed reason"})
    branded = text(post_plan(client, program, code, "print"))
    assert "Printed reason" in branded and program.name in branded
    plain = post_plan(client, program, code, "print", hide_branding="1")
    assert "Printed reason" in text(plain)
    assert program.name not in text(plain)
    assert 'class="site-header"' not in text(plain)
    assert crisis_line(program).name in text(plain)


def test_the_conversation_and_plan_download_as_text(client, program, taken, supporter):
    code, case = taken
    cases.staff_reply(case=case, actor=supporter, body="Glad you wrote.")
    plans.requester_plan_save(case=case, data={"goals": "Back at work", "services": []})
    response = client.post(copy_url(program), {"receipt_code": code, "format": "text"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "Rough week after the call-out." in body and "Glad you wrote." in body
    assert "Back at work" in body and crisis_line(program).name in body
    assert code not in body  # the code is not written into the file
    printable = client.post(copy_url(program), {"receipt_code": code, "format": "print"})
    assert "Glad you wrote." in text(printable)
    assert (
        CaseAccess.objects.filter(case_id=case.pk, action=CaseAccess.Action.REQUESTER_COPY).count()
        == 2
    )
    # Only by POST: the code never goes in an address.
    assert client.get(copy_url(program), {"receipt_code": code}).status_code == 405
    assert client.get(plan_url(program), {"receipt_code": code}).status_code == 405


def test_the_status_page_says_when_it_is_deleted_and_offers_the_download(
    client, program, taken, supporter
):
    code, case = taken
    page = text(look_up(client, program, code))
    assert f"it is kept for {program.retention_days} days and then deleted" in page
    assert "Download my conversation and plan" in page
    cases.case_close(case=case, actor=supporter, outcome="supported", closing_message="Bye")
    page = text(look_up(client, program, code))
    assert "This conversation and your plan will be deleted on" in page


# Purge with the case, after a warning in the conversation.


def test_the_person_is_warned_then_the_plan_is_purged_with_the_case(
    client, program, taken, supporter
):
    code, case = taken
    plans.requester_plan_save(case=case, data={"reasons": "purge me"})
    cases.case_close(case=case, actor=supporter, outcome="supported", closing_message="Bye")
    _propose(client, case, supporter, reasons="late")  # refused: closed
    closed_at = timezone.now() - timedelta(days=program.retention_days - 3)
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at)
    assert cases.cases_purge_expired() == 0
    warning = Message.objects.get(case=case, sender=Message.Sender.PROGRAM)
    assert "will be deleted on" in warning.body and "download a copy" in warning.body
    cases.cases_purge_expired()
    assert Message.objects.filter(case=case, sender=Message.Sender.PROGRAM).count() == 1
    client.logout()
    assert "will be deleted on" in text(look_up(client, program, code))
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at - timedelta(days=4))
    assert cases.cases_purge_expired() == 1
    assert not SafetyPlan.objects.filter(case=case).exists()
    assert not PlanProposal.objects.filter(case=case).exists()
    assert post_plan(client, program, code).status_code == 404
    assert post_plan(client, program, code, "save", reasons="again").status_code == 404


def test_withdrawing_deletes_the_plan_at_once(client, program):
    code, case = new_request(client, program)
    plans.requester_plan_save(case=case, data={"reasons": "gone"})
    client.post(
        reverse("programs:status", args=[program.slug]),
        {"receipt_code": code, "action": "withdraw"},
    )
    assert not SafetyPlan.objects.filter(case=case).exists()


def test_an_article_of_another_program_cannot_be_attached(
    client, program, other_program, taken, supporter
):
    _code, case = taken
    foreign = articles(other_program)[0]
    response = _propose(client, case, supporter, step_0_text="Read", step_0_article=str(foreign.pk))
    assert response.status_code == 400
    assert not PlanProposal.objects.exists()


def test_hostile_text_in_a_plan_is_shown_as_text(client, program, taken, supporter):
    code, case = taken
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    plans.requester_plan_save(case=case, data={"reasons": payload, "steps": [{"text": payload}]})
    for action in ("view", "edit", "print"):
        html = post_plan(client, program, code, action).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, action
    client.force_login(supporter)
    html = client.get(supporter_url(case)).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_check_ins_say_who_noted_them(client, program, taken, supporter):
    code, case = taken
    plans.requester_plan_save(case=case, data={"new_checkin": "Slept better"})
    _propose(client, case, supporter, new_checkin="We talked about the night shifts")
    client.logout()
    proposal = PlanProposal.objects.get(case=case)
    plans.proposal_decide(case=case, proposal_id=proposal.pk, accept=True)
    checkins = plans.plan_content(case=case)["checkins"]
    assert [(c["by"], c["text"]) for c in checkins] == [
        ("you", "Slept better"),
        ("supporter", "We talked about the night shifts"),
    ]
    page = text(post_plan(client, program, code))
    assert "Your peer supporter: We talked about the night shifts" in page


def test_a_second_proposal_keeps_the_check_in_noted_in_the_first(client, program, taken, supporter):
    code, case = taken
    _propose(client, case, supporter, new_checkin="We talked about the night shifts")
    _propose(client, case, supporter, coping="A walk before bed")
    waiting = PlanProposal.objects.get(case=case, status=PlanProposal.Status.PENDING)
    plans.proposal_decide(case=case, proposal_id=waiting.pk, accept=True)
    plan = plans.plan_content(case=case)
    assert plan["coping"] == "A walk before bed"
    assert [c["text"] for c in plan["checkins"]] == ["We talked about the night shifts"]
