"""In Chromium: the worst hostile text, stored in a case, a reply, a note, a supporter's name
and the program's settings, runs no script on the staff pages or in the Wagtail admin."""

import pytest
from django.utils import timezone

from programs.models import HelpResource, Program, Role, SupporterProfile, Unit
from programs.services import cases
from tests import mfa
from tests.factories import make_active_supporter, make_member, submit_request
from tests.xss import BROWSER_WORST

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
ALL = "\n".join(BROWSER_WORST)


def _hostile_world(program):
    Program.objects.filter(pk=program.pk).update(
        name=BROWSER_WORST[1][:200],
        confidentiality_limits=ALL,
        crisis_phrases=ALL,
        expected_reply_time=BROWSER_WORST[4][:120],
        staffed_hours=BROWSER_WORST[3][:200],
    )
    HelpResource.objects.create(program=program, name=BROWSER_WORST[0], hours="24/7")
    unit = Unit.objects.create(program=program, name=BROWSER_WORST[6][:120])
    person = make_active_supporter(program, email="e2e-staff@example.org", unit=unit)
    make_member(program, Role.COORDINATOR, email=person.user.email)
    make_member(program, Role.ADMIN, email=person.user.email)
    SupporterProfile.objects.filter(pk=person.pk).update(
        display_name=BROWSER_WORST[2][:80],
        availability=BROWSER_WORST[5][:200],
        confidentiality_limits=ALL,
    )
    person.refresh_from_db()
    case = submit_request(program, message=ALL, alias=BROWSER_WORST[8][:40]).case
    queued = submit_request(program, message=ALL, alias=BROWSER_WORST[9][:40]).case
    cases.case_offer(case=case, supporter=person, actor=None)
    cases.case_accept(case=case, actor=person.user)
    cases.staff_reply(case=case, actor=person.user, body=ALL)
    cases.note_add(
        case=case,
        actor=person.user,
        contact_date=timezone.localdate(),
        contact_type="phone",
        text=ALL,
    )
    return person, case, queued


def test_the_worst_hostile_text_runs_no_script_on_staff_pages_or_in_the_admin(
    page, live_server, program
):
    person, case, queued = _hostile_world(program)
    dialogs, errors, csp = [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", person.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.fill("input[name=code]", mfa.code(mfa.SECRETS[person.user.pk]))
    page.click("button[type=submit]")
    screens = [
        f"/caseload/cases/{case.pk}/",
        "/caseload/",
        f"/coordinate/{program.slug}/",
        f"/coordinate/{program.slug}/requests/{queued.pk}/",
        f"/coordinate/{program.slug}/requests/{case.pk}/",
        "/me/",
        f"/p/{program.slug}/request/",
        f"/admin/program_settings/edit/{program.pk}/",
        "/admin/program_settings/",
        "/admin/roster/",
        f"/admin/roster/edit/{person.pk}/",
        "/admin/people/",
    ]
    for screen in screens:
        page.goto(base + screen)
        page.wait_for_load_state("networkidle")
        assert "/accounts/" not in page.url, screen
        # Give autofocus, onload and ontoggle their chance to fire.
        page.mouse.move(10, 10)
        page.keyboard.press("Tab")
        page.wait_for_timeout(150)
        assert page.evaluate("typeof window.__xss") == "undefined", screen
        assert dialogs == [], (screen, dialogs)
    # And the text is there to read, as written.
    page.goto(f"{base}/coordinate/{program.slug}/")
    assert page.get_by_text(BROWSER_WORST[2], exact=False).count() >= 1
    assert errors == []
    assert csp == []
