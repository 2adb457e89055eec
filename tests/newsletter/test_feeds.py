"""Each program's newsletter has an RSS and an Atom feed of its own published issues."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import NewsletterIssuePage

from .helpers import issue_of

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _second_issue(program, title, slug="second"):
    index = issue_of(program).get_parent()
    return index.add_child(
        instance=NewsletterIssuePage(
            title=title, slug=slug, issue_date=timezone.localdate(), summary="More news"
        )
    )


def test_rss_lists_the_programs_published_issues_only(client, program, other_program):
    _second_issue(program, "Spring issue")
    _second_issue(other_program, "Other program's issue")
    _second_issue(program, "Draft issue", slug="draft").unpublish()
    response = client.get(reverse("newsletter:rss", args=[program.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 (our own feed)
    assert program.name in channel.findtext("title")
    titles = [item.findtext("title") for item in channel.iter("item")]
    assert sorted(titles) == ["Spring issue", "Welcome to peer support"]
    links = [item.findtext("link") for item in channel.iter("item")]
    assert all(f"/{program.slug}/" in link for link in links)


def test_atom_parses_back_with_the_same_issues(client, program, other_program):
    _second_issue(program, "Spring issue")
    response = client.get(reverse("newsletter:atom", args=[program.slug]))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    titles = sorted(entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry"))
    assert titles == ["Spring issue", "Welcome to peer support"]


def test_the_newsletter_index_links_its_feeds_and_the_subscribe_form(client, program):
    index = issue_of(program).get_parent()
    page = client.get(index.url).content.decode()
    rss = reverse("newsletter:rss", args=[program.slug])
    atom = reverse("newsletter:atom", args=[program.slug])
    assert (
        f'<link rel="alternate" type="application/rss+xml" title="RSS feed" href="{rss}">' in page
    )
    assert f'type="application/atom+xml" title="Atom feed" href="{atom}"' in page
    assert reverse("newsletter:subscribe", args=[program.slug]) in page


def test_a_program_without_a_newsletter_section_has_no_feed(client, program):
    issue_of(program).get_parent().unpublish()
    assert client.get(reverse("newsletter:rss", args=[program.slug])).status_code == 404
