"""Anonymous public pages come from the page cache, and never go stale or cross programs."""

import pytest
from django.test import Client

from cms.models import ArticleIndexPage, ArticlePage, ProgramPage
from programs.models import Program

pytestmark = pytest.mark.django_db

PRIVACY_HEADERS = ("Cache-Control", "Referrer-Policy", "Content-Security-Policy", "X-Frame-Options")


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.TOOLKIT_PAGE_CACHE = True


def _landing(program):
    return ProgramPage.objects.get(program=program)


def _article(program):
    return ArticlePage.objects.descendant_of(_landing(program)).get(slug="what-peer-support-is")


def _get_twice(client, url, django_assert_num_queries):
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    return first, second


def test_a_second_anonymous_visit_to_an_article_runs_no_query(
    client, program, django_assert_num_queries
):
    first, second = _get_twice(client, _article(program).url, django_assert_num_queries)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert "What peer support is" in second.content.decode()
    assert not second.cookies and "Set-Cookie" not in second
    for header in PRIVACY_HEADERS:
        assert second.get(header) == first.get(header), header
    assert second["Content-Security-Policy"]


def test_the_request_and_status_pages_are_cached_with_their_privacy_headers(
    client, program, django_assert_num_queries
):
    for url in (f"/p/{program.slug}/request/", f"/p/{program.slug}/status/"):
        first, second = _get_twice(client, url, django_assert_num_queries)
        assert second.content == first.content
        assert second["Cache-Control"] == "no-store"
        assert second["Referrer-Policy"] == "no-referrer"
        assert not second.cookies


def test_publishing_a_new_revision_shows_at_once(client, program):
    article = _article(program)
    client.get(article.url)
    article.summary = "Listening first, always."
    article.save_revision().publish()
    assert "Listening first, always." in client.get(article.url).content.decode()


def test_a_change_made_through_another_worker_shows_once_the_kept_stamps_are_read_again(
    client, program, monkeypatch
):
    """A worker keeps the stamps it read for about a second: another worker's change is
    not seen in that second, and is seen as soon as the stamps are read again."""
    import time

    from django.core.cache import caches

    from cms import pagecache

    article = _article(program)
    assert "What peer support is" in client.get(article.url).content.decode()
    client.get(article.url)  # served from the cache, stamps now kept by this worker
    # Another worker changes the page: the rows, and the shared stamp (no signal here).
    ArticlePage.objects.filter(pk=article.pk).update(title="Peer support, plainly")
    caches["default"].set(
        pagecache._STAMP_KEY.format(pagecache.program_scope(program.pk)), time.time_ns(), None
    )
    assert "Peer support, plainly" not in client.get(article.url).content.decode()
    monkeypatch.setattr(pagecache, "STAMPS_KEPT_SECONDS", 0)  # as if the second had passed
    assert "Peer support, plainly" in client.get(article.url).content.decode()


def test_unpublishing_a_page_takes_it_off_at_once(client, program):
    article = _article(program)
    assert client.get(article.url).status_code == 200
    article.unpublish()
    assert client.get(article.url).status_code == 404


def test_a_new_article_is_listed_at_once(client, program):
    index = ArticleIndexPage.objects.child_of(_landing(program)).get()
    client.get(index.url)
    index.add_child(
        instance=ArticlePage(title="Nights are long", slug="nights", date="2026-01-01")
    ).save_revision().publish()
    assert "Nights are long" in client.get(index.url).content.decode()


def test_a_changed_crisis_line_shows_at_once_on_every_cached_page(client, program):
    urls = [_landing(program).url, _article(program).url, f"/p/{program.slug}/request/"]
    for url in urls:
        assert 'href="tel:988"' in client.get(url).content.decode()
    line = program.help_resources.get(phone="988")
    line.phone = "0800 555 0199"
    line.save()
    for url in urls:
        html = client.get(url).content.decode()
        assert 'href="tel:08005550199"' in html, url
        assert 'href="tel:988"' not in html, url


def test_a_removed_crisis_line_goes_at_once(client, program):
    url = _article(program).url
    assert 'href="tel:988"' in client.get(url).content.decode()
    program.help_resources.get(phone="988").delete()
    assert 'href="tel:988"' not in client.get(url).content.decode()


def test_closing_a_program_shows_on_its_request_page_at_once(client, program):
    url = f"/p/{program.slug}/request/"
    assert "not taking new requests" not in client.get(url).content.decode()
    program.state = Program.State.CLOSED
    program.save()
    assert "not taking new requests" in client.get(url).content.decode()


def test_one_programs_page_is_never_served_at_another_programs_path(client, program, other_program):
    ours, theirs = _article(program), _article(other_program)
    assert ours.url != theirs.url and ours.slug == theirs.slug
    for _ in range(2):
        our_html = client.get(ours.url).content.decode()
        their_html = client.get(theirs.url).content.decode()
        assert program.name in our_html and other_program.name not in our_html
        assert other_program.name in their_html and program.name not in their_html
    for _ in range(2):
        html = client.get(f"/p/{other_program.slug}/status/").content.decode()
        assert f"/p/{other_program.slug}/request/" in html
        assert f"/p/{program.slug}/" not in html


def test_another_host_gets_its_own_entry(client, program, django_assert_max_num_queries):
    url = _article(program).url
    client.get(url)
    with django_assert_max_num_queries(10) as queries:
        client.get(url, HTTP_HOST="localhost")
    assert len(queries) > 0


def test_a_signed_in_colleague_never_gets_or_leaves_a_cached_page(client, program, admin):
    url = _article(program).url
    anonymous_html = client.get(url).content.decode()
    assert "My work" not in anonymous_html
    staff = Client()
    staff.force_login(admin)
    assert "My work" in staff.get(url).content.decode()
    client.cookies.clear()
    assert "My work" not in client.get(url).content.decode()
    # And the other way round: their view, rendered first, is not kept for anyone.
    other_url = _landing(program).url
    assert "My work" in staff.get(other_url).content.decode()
    assert "My work" not in Client().get(other_url).content.decode()


def test_the_request_form_step_with_its_token_is_never_cached(client, program):
    url = f"/p/{program.slug}/request/"
    client.get(url)
    tokens = []
    for _ in range(2):
        response = client.post(url, {"step": "limits", "acknowledged": "on"})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="form_token"' in html
        tokens.append(html.split('name="form_token" value="')[1].split('"')[0])
    assert tokens[0] != tokens[1]
    assert 'name="form_token"' not in client.get(url).content.decode()


def test_the_page_cache_can_be_turned_off(client, program, settings, django_assert_max_num_queries):
    settings.TOOLKIT_PAGE_CACHE = False
    url = _article(program).url
    client.get(url)
    with django_assert_max_num_queries(10) as queries:
        client.get(url)
    assert len(queries) > 0


def test_a_page_still_renders_when_the_shared_cache_fails(client, program, monkeypatch):
    from django.core.cache import caches

    url = _article(program).url
    client.get(url)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["default"], "get_many", down)
    response = client.get(url)
    assert response.status_code == 200
    assert 'href="tel:988"' in response.content.decode()


def test_a_head_request_is_answered_from_the_cached_page(
    client, program, django_assert_num_queries
):
    url = _landing(program).url
    client.get(url)
    with django_assert_num_queries(0):
        response = client.head(url)
    assert response.status_code == 200
