"""An issue's blocks: teasers of the program's own articles, its coming events and a call
to ask for support, in the email (HTML and plain text) and the web archive; crisis lines
always at the foot."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.models import ArticlePage, EventIndexPage, EventPage, NewsletterIssuePage, ProgramPage
from newsletter import services

from .helpers import issue_of

pytestmark = pytest.mark.django_db


def _article(program) -> ArticlePage:
    article = ArticlePage.objects.descendant_of(program.landing_page).live().first()
    assert article is not None, "the starter content has articles"
    return article


def _event(program, title) -> EventPage:
    index = EventIndexPage.objects.child_of(ProgramPage.objects.get(program=program)).get()
    return index.add_child(
        instance=EventPage(
            title=title,
            slug=title.lower().replace(" ", "-"),
            kind=EventPage.Kind.PEER_GROUP,
            mode=EventPage.Mode.IN_PERSON,
            place="Station 4",
            time_zone="Europe/London",
            start=timezone.now() + timedelta(days=3),
            duration_minutes=60,
            capacity=8,
        )
    )


@pytest.fixture
def issue(program, other_program):
    ours, theirs = _article(program), _article(other_program)
    theirs.title = "Only for the other program"
    theirs.save_revision().publish()
    _event(program, "Monday peer circle")
    _event(other_program, "Their night group")
    issue = issue_of(program)
    issue.body = json.dumps(
        [
            {"type": "paragraph", "value": "<p>Hello from the team.</p>"},
            {
                "type": "articles",
                "value": {"heading": "Worth a read", "articles": [ours.pk, theirs.pk]},
            },
            {"type": "events", "value": {"heading": "Coming up", "kind": "", "count": 3}},
            {
                "type": "ask_for_support",
                "value": {"heading": "Want to talk?", "text": "We listen.", "button": "Ask now"},
            },
        ]
    )
    issue.save_revision().publish()
    issue.refresh_from_db()
    return issue, ours, theirs


def test_the_email_shows_the_blocks_in_html_and_plain_text_with_crisis_lines_last(program, issue):
    page, ours, theirs = issue
    content = services.issue_render(issue=page, program=program)
    request_url = f"/p/{program.slug}/request/"
    crisis = program.help_resource_list()[0].name
    for part in (content["html"], content["text"]):
        assert ours.title in part and theirs.title not in part
        assert "Monday peer circle" in part and "Their night group" not in part
        assert "Want to talk?" in part and "Ask now" in part and request_url in part
        assert part.index(crisis) > part.index("Ask now")
        assert part.index("If you need help now") > part.index("Monday peer circle")
    # The plain text keeps the links' addresses; every link is absolute.
    assert f"{ours.title} (http" in content["text"]
    assert f'href="{request_url}' not in content["html"]
    assert "<" not in content["text"]


def test_the_web_archive_shows_the_same_blocks_and_the_crisis_lines_at_the_foot(
    client, program, issue
):
    page, ours, theirs = issue
    html = client.get(page.url).content.decode()
    assert ours.title in html and theirs.title not in html
    assert "Monday peer circle" in html and "Their night group" not in html
    assert f"/p/{program.slug}/request/" in html
    foot = html.split('id="crisis-foot-heading"')[1]
    assert program.help_resource_list()[0].name in foot
    assert html.index("Ask now") < html.index('id="crisis-foot-heading"')


def test_with_no_coming_events_the_block_says_so(program):
    page = issue_of(program)
    page.body = json.dumps(
        [{"type": "events", "value": {"heading": "Soon", "kind": "", "count": 2}}]
    )
    page.save_revision().publish()
    page.refresh_from_db()
    content = services.issue_render(issue=page, program=program)
    assert "No sessions are planned in the coming weeks." in content["text"]


def _body_errors(issue, user, articles):
    """The issue's page form, cleaned with an articles block choosing these pages."""
    form_class = NewsletterIssuePage.get_edit_handler().get_form_class()
    form = form_class(data={}, instance=issue, for_user=user, parent_page=issue.get_parent())
    body = NewsletterIssuePage.body.field.stream_block.to_python(
        [{"type": "articles", "value": {"heading": "", "articles": [a.pk for a in articles]}}]
    )
    form.cleaned_data = {"title": issue.title, "slug": issue.slug, "body": body}
    form._errors = {}
    form.clean()
    return form._errors.get("body")


def test_the_editor_may_tease_only_this_programs_articles(program, other_program, admin):
    issue = issue_of(program)
    assert _body_errors(issue, admin, [_article(program)]) is None
    errors = _body_errors(issue, admin, [_article(program), _article(other_program)])
    assert "this program" in str(errors)
