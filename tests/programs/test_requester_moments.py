"""The requester's worst moments: crisis wording, rate limits, no JavaScript, times, closing."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.programs.test_intake_flow import send_request

pytestmark = pytest.mark.django_db


# Without JavaScript nothing inert shows.


def _buttons(html: str) -> list[str]:
    return re.findall(r"<button\b[^>]*>.*?</button>", html, flags=re.S)


def test_the_receipt_page_without_javascript_shows_only_buttons_that_work(client, program):
    html = send_request(client, program).content.decode()
    buttons = _buttons(html)
    assert buttons, "the receipt page has its download and done buttons"
    # Every button a no-JavaScript browser shows submits a form; none waits for a script.
    assert [b for b in buttons if 'type="submit"' not in b] == []
    assert "Copy the code</button>" not in html
    assert "Print this page</button>" not in html


def test_hidden_always_wins_over_a_class_that_sets_display():
    css = Path(settings.BASE_DIR, "toolkit/static/css/site.css").read_text()
    assert re.search(r"\[hidden\]\s*\{\s*display:\s*none\s*!important;?\s*\}", css)
