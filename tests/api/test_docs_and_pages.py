"""The schema, the docs page (no CDN) and Wagtail's public pages API."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from wagtail.models import PageViewRestriction

from cms.models import ArticlePage, ProgramPage

pytestmark = pytest.mark.django_db


def test_schema_documents_only_our_v1_routes(db):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert "/api/v1/programs/{slug}/requests/" in paths
    assert all(p.startswith("/api/v1/") for p in paths)


def test_docs_page_loads_its_assets_from_our_own_static_files(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html)
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert finders.find(asset), asset


def _live_pages(query=""):
    response = Client().get(f"/api/cms/pages/{query}")
    assert response.status_code == 200, response.content
    return {item["title"] for item in response.json()["items"]}


def test_pages_api_lists_live_public_pages_of_a_program(program, other_program):
    section = ProgramPage.objects.get(program=program)
    titles = _live_pages(f"?program={program.slug}")
    assert section.title in titles
    other = ProgramPage.objects.get(program=other_program)
    assert other.title not in titles
    assert other.title in _live_pages()


def test_pages_api_never_shows_drafts_or_restricted_pages_even_to_staff(program, admin):
    section = ProgramPage.objects.get(program=program)
    article = section.get_descendants().type(ArticlePage).first().specific
    article.unpublish()
    restricted = section.get_children().live().first()
    PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    browser = Client()
    browser.force_login(admin)
    response = browser.get(f"/api/cms/pages/?program={program.slug}")
    titles = {item["title"] for item in response.json()["items"]}
    assert section.title in titles
    assert article.title not in titles
    assert restricted.title not in titles
    detail = browser.get(f"/api/cms/pages/{restricted.pk}/")
    assert detail.status_code == 404


def test_pages_api_refuses_an_unknown_program(db):
    response = Client().get("/api/cms/pages/?program=nowhere")
    assert response.status_code == 400
