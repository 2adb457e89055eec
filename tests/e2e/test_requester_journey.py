"""The requester's whole journey in headless Chromium, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import Page, expect

from programs.models import Case
from programs.services import cases
from tests.programs.test_intake_flow import take_on

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^(?:[0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$")


def watch(page: Page) -> list[str]:
    """Every address the page asks for, in order."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def journey(page: Page, base: str, program, coordinator, supporter) -> str:
    """Read the limits, ask, keep the code, come back, read a reply, answer, withdraw."""
    page.goto(f"{base}/p/{program.slug}/request/")
    expect(page.get_by_role("heading", name="What stays confidential")).to_be_visible()
    expect(page.get_by_role("link", name="Call 988", exact=True)).to_be_visible()
    assert page.locator("textarea").count() == 0

    page.get_by_label("I have read what stays confidential and what does not.").check()
    page.get_by_role("button", name="Continue to the request form").click()
    page.get_by_label("Trauma").check()
    page.get_by_label("What would you like to talk about? (optional)").fill(
        "Can't stop replaying last week's call-out."
    )
    page.get_by_label("In the next day or two").check()
    page.get_by_label("A first name or made-up name to call you (optional)").fill("Jo")
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", name="Your request has been sent")).to_be_visible()
    code = page.locator("#receipt-code").inner_text().strip()
    assert CODE.match(code)
    page.get_by_label("I have kept my receipt code somewhere safe").check()
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("heading", name="Check my request")).to_be_visible()

    case = Case.objects.get()
    take_on(case, coordinator, supporter)
    cases.staff_reply(case=case, actor=supporter, body="Thanks for reaching out.")

    page.get_by_label("Your receipt code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Open my request").click()
    expect(page.get_by_text("Thanks for reaching out.")).to_be_visible()
    expect(page.get_by_text("Can't stop replaying last week's call-out.")).to_be_visible()

    page.get_by_label("Your reply").fill("That helps. Evenings are worst.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply has been sent.")).to_be_visible()
    expect(page.get_by_text("That helps. Evenings are worst.")).to_be_visible()

    page.get_by_role("button", name="Withdraw my request").click()
    page.get_by_role("button", name="Yes, withdraw and delete").click()
    expect(page.get_by_role("heading", name="Your request has been withdrawn")).to_be_visible()
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN
    assert case.messages.count() == 0
    return code


def assert_nothing_leaked(page: Page, seen: list[str], base: str, code: str) -> None:
    assert seen, "no requests were seen"
    assert [url for url in seen if not url.startswith(base + "/")] == []
    bare = code.replace("-", "")
    assert [url for url in seen if code in url or bare in url.upper()] == []
    assert page.context.cookies() == []


def test_the_whole_journey_works_without_javascript(
    browser, live_server, program, coordinator, supporter
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    seen = watch(page)
    code = journey(page, live_server.url, program, coordinator, supporter)
    assert_nothing_leaked(page, seen, live_server.url, code)
    assert not any(url.endswith(".js") for url in seen)
    context.close()


def test_without_javascript_the_receipt_shows_no_button_that_does_nothing(
    browser, live_server, program
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{program.slug}/request/")
    page.get_by_label("I have read what stays confidential and what does not.").check()
    page.get_by_role("button", name="Continue to the request form").click()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Your request has been sent")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the code")).to_have_count(0)
    expect(page.get_by_role("button", name="Print this page")).to_have_count(0)
    expect(page.get_by_role("button", name="Download the code as a file")).to_be_visible()
    context.close()


def test_the_whole_journey_works_with_javascript_and_stores_nothing_in_the_browser(
    page, live_server, program, coordinator, supporter
):
    seen = watch(page)
    storage = []
    page.on(
        "load",
        lambda p: storage.append(p.evaluate("[localStorage.length, sessionStorage.length]")),
    )
    code = journey(page, live_server.url, program, coordinator, supporter)
    assert_nothing_leaked(page, seen, live_server.url, code)
    assert any(url.endswith("/static/js/receipt.js") for url in seen)
    assert storage and set(map(tuple, storage)) == {(0, 0)}
    assert (
        page.evaluate("JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
        == "{}{}"
    )


def test_the_receipt_can_be_downloaded_and_printed_with_javascript(page, live_server, program):
    page.goto(f"{live_server.url}/p/{program.slug}/request/")
    page.get_by_label("I have read what stays confidential and what does not.").check()
    page.get_by_role("button", name="Continue to the request form").click()
    page.get_by_role("button", name="Send my request").click()
    code = page.locator("#receipt-code").inner_text().strip()
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the code as a file").click()
    assert code in download.value.path().read_text()
    assert code not in download.value.url


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching selector has focus; check focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            style = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
            )
            outline, width, shadow = style
            assert (outline != "none" and width != "0px") or shadow != "none", (selector, style)
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_request_can_be_made_with_the_keyboard_alone_and_focus_is_visible(
    page, live_server, program
):
    page.goto(f"{live_server.url}/p/{program.slug}/request/")
    _tab_to(page, "a.skip-link")
    _tab_to(page, "input[name=acknowledged]")
    page.keyboard.press("Space")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Ask for peer support")).to_be_visible()
    _tab_to(page, "input[name=topics]")
    page.keyboard.press("Space")
    _tab_to(page, "textarea[name=message]")
    page.keyboard.type("Typed without a mouse.")
    _tab_to(page, "input[name=urgency]:checked")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "input[name=channel]:checked")
    _tab_to(page, "summary")
    page.keyboard.press("Enter")
    _tab_to(page, "input[name=wants_shared_experience]")
    page.keyboard.press("Space")
    _tab_to(page, "form[data-request-form] button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your request has been sent")).to_be_visible()
    case = Case.objects.get()
    assert case.topics.count() == 1
    assert case.urgency == "soon"
    assert case.wants_shared_experience
    assert [m.body for m in case.messages.all()] == ["Typed without a mouse."]
