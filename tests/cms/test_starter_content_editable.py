"""Every kind of starter page a template brings opens in Wagtail's editor and saves as it is:
an editor can take it over at once. Driven through the real edit view with Wagtail's test
form helpers (its StreamField editor is drawn by JavaScript, so the body is posted as the
editor would send it)."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text
from wagtail.test.utils.form_data import streamfield as streamfield_data

from cms.models import ArticlePage, ProgramPage, ResourcePage, TrainingModulePage
from tests.factories import make_program

pytestmark = pytest.mark.django_db


def _block_value(block):
    if block.block_type == "paragraph":
        return rich_text(block.value.source)
    if block.block_type == "callout":
        return {"title": block.value["title"], "text": rich_text(block.value["text"].source)}
    return block.value


def _content(body) -> list:
    """The blocks as a reader meets them: type and text (the editor writes <b> for <strong>
    and adds its own block keys, which a reader never sees)."""
    return [(b.block_type, " ".join(strip_tags(str(b.render())).split())) for b in body]


def _edit_form_data(client, page) -> dict:
    """What the edit form holds, with the body as the StreamField editor would post it."""
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.get(url)
    assert response.status_code == 200, page
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form").dict()
    body = [(block.block_type, _block_value(block)) for block in page.body]
    data.update(nested_form_data({"body": streamfield_data(body)}))
    return data


@pytest.mark.parametrize("template", ["first-responder", "healthcare", "workplace"])
def test_each_kind_of_starter_page_opens_and_saves_in_the_editor(
    client, admin_user, template, request
):
    if template == "first-responder":
        program = request.getfixturevalue("program")
    elif template == "healthcare":
        program = request.getfixturevalue("other_program")
    else:
        program = make_program("harbour-office", template=template)
    client.force_login(admin_user)
    landing = ProgramPage.objects.get(program=program)
    pages = [landing] + [
        model.objects.descendant_of(landing).live().order_by("path").first()
        for model in (ArticlePage, ResourcePage, TrainingModulePage)
    ]
    for page in pages:
        assert page is not None and len(page.body) > 0
        data = _edit_form_data(client, page)
        data["title"] = f"{page.title} (edited)"
        response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
        assert response.status_code == 302, page
        page.refresh_from_db()
        saved = page.get_latest_revision_as_object()
        assert saved.title == f"{page.title} (edited)"
        assert _content(saved.body) == _content(page.body), page
