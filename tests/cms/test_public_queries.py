"""Public pages run a small, fixed number of queries, however many articles a program has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import ArticleIndexPage, ArticlePage, ProgramPage

pytestmark = pytest.mark.django_db


def _urls(program):
    landing = ProgramPage.objects.get(program=program)
    index = ArticleIndexPage.objects.child_of(landing).get()
    return {
        "landing": landing.url,
        "article index": index.url,
        "article": ArticlePage.objects.child_of(index).first().url,
        "request": f"/p/{program.slug}/request/",
        "status": f"/p/{program.slug}/status/",
    }


def _add_articles(program, n):
    index = ArticleIndexPage.objects.descendant_of(ProgramPage.objects.get(program=program)).get()
    start = ArticlePage.objects.child_of(index).count()
    for i in range(start, start + n):
        index.add_child(
            instance=ArticlePage(
                title=f"Article {i}", slug=f"article-{i}", date=datetime.date.today()
            )
        )


def _count(client, url) -> int:
    client.get(url)  # warm process-wide caches (content types, the site) the first request fills
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", ["landing", "article index", "article", "request", "status"])
def test_a_public_page_runs_at_most_ten_queries(
    client, program, page, django_assert_max_num_queries
):
    url = _urls(program)[page]
    client.get(url)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert 'href="tel:988"' in response.content.decode()


def test_public_pages_run_the_same_queries_for_few_and_many_articles(client, program):
    articles = ArticlePage.objects.descendant_of(ProgramPage.objects.get(program=program))
    few = {name: _count(client, url) for name, url in _urls(program).items()}
    before = articles.count()
    _add_articles(program, 9)
    assert articles.count() == before + 9
    many = {name: _count(client, url) for name, url in _urls(program).items()}
    index_html = client.get(_urls(program)["article index"]).content.decode()
    assert "Article 11" in index_html
    assert few == many


def test_a_program_page_shows_its_own_program_and_crisis_lines(client, program, other_program):
    line = other_program.help_resources.get(phone="988")
    line.phone = "0800 555 0123"
    line.save()
    html = client.get(_urls(other_program)["article"]).content.decode()
    assert other_program.name in html and 'href="tel:08005550123"' in html
    html = client.get(_urls(program)["article"]).content.decode()
    assert program.name in html and other_program.name not in html
    assert 'href="tel:08005550123"' not in html
