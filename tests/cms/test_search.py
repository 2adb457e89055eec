"""Search: one program's pages only, and the words searched for are kept nowhere."""

import datetime
import logging

import pytest
from django.test import Client

from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    NewsletterIndexPage,
    NewsletterIssuePage,
    ProgramPage,
    ResourceIndexPage,
    ResourcePage,
    TrainingIndexPage,
    TrainingModulePage,
)
from tests.programs.test_privacy import (
    _environ,
    _Request,
    _Response,
    dump_cache,
    dump_database,
    every_log,
    gunicorn_logger,
    logged_text,
)

pytestmark = pytest.mark.django_db

__all__ = ["every_log", "gunicorn_logger"]  # fixtures, imported for their use below

WORD = "zebrafinch"  # in no starter page, so every hit is one of ours


def _add(program, index_type, page_type, title, **fields):
    landing = ProgramPage.objects.get(program=program)
    index = index_type.objects.child_of(landing).get()
    page = page_type(title=title, slug=title.lower().replace(" ", "-"), **fields)
    index.add_child(instance=page)
    return page


def _article(program, title, summary=""):
    return _add(
        program,
        ArticleIndexPage,
        ArticlePage,
        title,
        date=datetime.date(2026, 11, 1),
        summary=summary,
        body=[("paragraph", f"<p>Talking about the {WORD} after a long shift.</p>")],
    )


def _search(client, program, query=WORD):
    return client.post(f"/p/{program.slug}/search/", {"q": query})


def test_search_finds_this_programs_pages_and_never_another_programs(
    client, program, other_program
):
    ours = _article(program, "After the night shift", summary="What helps")
    resource = _add(
        program, ResourceIndexPage, ResourcePage, "Sleep guide", summary=f"On {WORD} nights"
    )
    issue = _add(
        program,
        NewsletterIndexPage,
        NewsletterIssuePage,
        "November issue",
        issue_date=datetime.date(2026, 11, 1),
        summary=WORD,
    )
    theirs = _article(other_program, "Ward rounds")
    response = _search(client, program)
    assert response.status_code == 200
    html = response.content.decode()
    for page in (ours, resource, issue):
        assert f'href="{page.url}"' in html
    assert "What helps" in html  # the summary
    assert "Ward rounds" not in html and theirs.url not in html
    other = _search(client, other_program).content.decode()
    assert "Ward rounds" in other and "After the night shift" not in other


def test_search_leaves_out_drafts_and_training_material(client, program):
    draft = _article(program, "Unfinished thoughts")
    draft.unpublish()
    landing = ProgramPage.objects.get(program=program)
    training = TrainingIndexPage.objects.child_of(landing).get()
    training.add_child(instance=TrainingModulePage(title="Module on listening", summary=WORD))
    html = _search(client, program).content.decode()
    assert "Unfinished thoughts" not in html
    assert "Module on listening" not in html
    assert "No pages found" in html


def test_the_search_form_is_on_every_public_page_labelled_and_posting(client, program):
    landing = ProgramPage.objects.get(program=program)
    urls = [p.url for p in [landing, *landing.get_descendants().live().specific()]]
    urls += [f"/p/{program.slug}/request/", f"/p/{program.slug}/help/"]
    for url in urls:
        html = client.get(url).content.decode()
        form = html.split('class="site-search"', 1)[1].split("</form>", 1)[0]
        assert 'method="post"' in form, url
        assert f'action="/p/{program.slug}/search/"' in form, url
        assert '<label for="site-search-q">Search this program\'s pages</label>' in form, url
        assert 'id="site-search-q" name="q"' in form, url


def test_the_search_page_works_without_javascript(client, program):
    _article(program, "After the night shift")
    response = client.get(f"/p/{program.slug}/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_q">' in html
    assert "<script" not in html
    assert "After the night shift" in _search(client, program).content.decode()


def test_an_empty_query_asks_for_words_and_searches_nothing(client, program):
    response = _search(client, program, query="   ")
    assert response.status_code == 400
    assert "pages found" not in response.content.decode()


def test_the_query_is_nowhere_in_the_database_cache_or_logs(client, program, every_log):
    # "suicide" is already in the database (a crisis line's name); the canary is not.
    secret = "suicide kestrelmoth"
    assert "kestrelmoth" not in dump_database()
    for other in ("django.request", "django.server"):
        logging.getLogger(other).setLevel(logging.DEBUG)
    every_log.clear()
    response = _search(client, program, query=secret)
    assert response.status_code == 200
    assert "No pages found" in response.content.decode()
    # Every logger at DEBUG, except the SQL log: the words must reach the database as a
    # query parameter, and only a forced debug cursor writes those (see the test below).
    assert "kestrelmoth" in logged_text(every_log), "the capture sees the forced SQL log"
    every_log.records[:] = [r for r in every_log.records if r.name != "django.db.backends"]
    assert "kestrelmoth" not in logged_text(every_log)
    assert "kestrelmoth" not in dump_database()
    assert "kestrelmoth" not in dump_cache()


def test_the_sql_log_that_would_hold_the_words_is_off_in_the_shipped_settings(settings):
    from django.db import connection

    assert not settings.DEBUG
    assert not connection.queries_logged
    assert not logging.getLogger("django.db.backends").isEnabledFor(logging.DEBUG)


def test_search_results_are_not_cached_or_referred_and_set_no_cookie(client, program, settings):
    settings.TOOLKIT_PAGE_CACHE = True
    _article(program, "After the night shift")
    signed_in = Client()
    signed_in.cookies["sessionid"] = "a-colleagues-session"
    for c in (client, signed_in):
        response = _search(c, program)
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        assert not response.cookies
    # The words are not in the page's address, and the page is not replayed from a cache.
    assert response.request["QUERY_STRING"] == ""
    assert (
        "After the night shift"
        not in _search(client, program, query="nothingmatches").content.decode()
    )


def test_the_search_route_gets_no_access_line(gunicorn_logger):
    _namespace, logger, records = gunicorn_logger
    logger.access(
        _Response(), _Request(), _environ("/p/city-fire/search/"), datetime.timedelta(seconds=1)
    )
    assert records == []


def test_a_program_getting_ready_is_not_searchable_from_outside(client, program):
    program.state = program.State.GETTING_READY
    program.save()
    assert _search(client, program).status_code == 404


def test_search_runs_at_most_ten_queries(client, program, django_assert_max_num_queries):
    for i in range(5):
        _article(program, f"Night shift {i}")
    _search(client, program)
    with django_assert_max_num_queries(10):
        response = _search(client, program)
    assert response.content.decode().count("Night shift") >= 5
