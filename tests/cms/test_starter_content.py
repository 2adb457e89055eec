"""A new program starts with real pages written for its audience, which editors then own."""

import json
import re
import shutil

import pytest
from wagtail.models import Page

from cms import starter_content
from cms.models import (
    ArticlePage,
    ProgramPage,
    ResourcePage,
    TrainingIndexPage,
    TrainingModulePage,
)
from programs.models import Program
from tests.factories import make_program

pytestmark = pytest.mark.django_db

AUDIENCE_PAGES = {
    "first-responder": "after-a-critical-incident",
    "healthcare": "after-an-adverse-event",
    "workplace": "workload-and-burnout",
}
SHARED_PAGES = {
    "what-peer-support-is",
    "confidentiality",
    "how-to-ask",
    "for-families",
    "for-supporters",
}
PLACEHOLDERS = ("lorem", "todo", "write something", "placeholder", "tbd", "xxx")


@pytest.fixture
def program_of(request):
    """The program of a template: the two the session prebuilt, or a new workplace one."""

    def get(template):
        if template == "first-responder":
            return request.getfixturevalue("program")
        if template == "healthcare":
            return request.getfixturevalue("other_program")
        return make_program("harbour-office", template=template)

    return get


def _section(program):
    landing = ProgramPage.objects.get(program=program)
    return landing, list(landing.get_descendants().live().specific())


@pytest.mark.parametrize("template", sorted(AUDIENCE_PAGES))
def test_each_template_starts_with_its_own_pages_and_every_one_renders(
    client, program_of, template
):
    program = program_of(template)
    landing, pages = _section(program)
    slugs = {page.slug for page in pages}
    assert slugs >= SHARED_PAGES
    assert AUDIENCE_PAGES[template] in slugs
    for other_template, other_slug in AUDIENCE_PAGES.items():
        if other_template != template:
            assert other_slug not in slugs, other_slug
    audience_page = next(p for p in pages if p.slug == AUDIENCE_PAGES[template])
    assert isinstance(audience_page, ResourcePage)
    assert isinstance(next(p for p in pages if p.slug == "confidentiality"), ArticlePage)

    html = client.get(landing.url).content.decode()
    for heading in ("What this program is", "Who the supporters are", "How to ask"):
        assert heading in html, heading
    assert "What happens next" in html
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title in response.content.decode()
        if isinstance(page, (ArticlePage, ResourcePage, TrainingModulePage)):
            assert page.live_revision_id, page.url  # published as an editor would, with history


@pytest.mark.parametrize("template", sorted(AUDIENCE_PAGES))
def test_every_training_requirement_has_an_outline_page_with_its_hours(program_of, template):
    program = program_of(template)
    index = TrainingIndexPage.objects.child_of(ProgramPage.objects.get(program=program)).get()
    outlines = list(TrainingModulePage.objects.child_of(index))
    requirements = list(program.training_requirements.all())
    assert len(outlines) == len(requirements)
    for requirement in requirements:
        page = next(p for p in outlines if p.title.startswith(requirement.name))
        text = str(page.body)
        assert f"{int(requirement.hours)} hours" in text, requirement.name
        assert "coordinator" in text and "roster" in text, requirement.name


def test_a_course_outline_says_the_coordinator_records_completion_not_reading_it(client, program):
    landing = ProgramPage.objects.get(program=program)
    page = TrainingModulePage.objects.descendant_of(landing).get(slug="suicide-intervention")
    html = client.get(page.url).content.decode()
    assert "show your certificate to your coordinator" in html
    assert "Mark this training complete" not in html


def test_no_starter_text_is_a_placeholder():
    for path in sorted(starter_content.CONTENT_DIR.glob("*.json")):
        text = path.read_text(encoding="utf-8").lower()
        for word in PLACEHOLDERS:
            assert not re.search(rf"\b{word}\b", text), (path.name, word)
    for template in AUDIENCE_PAGES:
        for page in starter_content.load(template):
            words = re.sub(r"<[^>]+>", " ", json.dumps([page.intro, page.body])).split()
            assert 150 <= len(words) <= 600, page.label


def _broken_copy(tmp_path, file, change):
    for path in starter_content.CONTENT_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    data = json.loads((tmp_path / file).read_text())
    change(data)
    (tmp_path / file).write_text(json.dumps(data))
    return tmp_path


def _page(data, slug):
    return next(p for p in data["pages"] if p.get("slug") == slug)


BREAKAGES = {
    "unknown block": (
        "common.json",
        lambda d: _page(d, "how-to-ask")["body"].append({"type": "quote", "value": "Hi"}),
        ["common.json", "how-to-ask", "quote"],
    ),
    "missing title": (
        "healthcare.json",
        lambda d: _page(d, "after-an-adverse-event").pop("title"),
        ["healthcare.json", "after-an-adverse-event", "title"],
    ),
    "unknown page type": (
        "workplace.json",
        lambda d: _page(d, "workload-and-burnout").update(type="blog"),
        ["workplace.json", "workload-and-burnout", "blog"],
    ),
    "tag the editor drops": (
        "common.json",
        lambda d: _page(d, "for-families")["body"].append(
            {"type": "paragraph", "value": "<div>Hi</div>"}
        ),
        ["common.json", "for-families", "div"],
    ),
    "heading too long": (
        "common.json",
        lambda d: _page(d, "confidentiality")["body"].append(
            {"type": "heading", "value": "x" * 200}
        ),
        ["common.json", "confidentiality"],
    ),
    "training without a page": (
        "first_responder.json",
        lambda d: d["pages"].remove(_page(d, "critical-incident-peer-support")),
        ["first_responder.json", "Critical-incident peer support"],
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_content_file_gives_an_error_naming_the_file_and_page(tmp_path, breakage):
    file, change, expected = BREAKAGES[breakage]
    directory = _broken_copy(tmp_path, file, change)
    kind = file.removesuffix(".json").replace("_", "-")
    with pytest.raises(starter_content.StarterContentError) as error:
        starter_content.load("workplace" if kind == "common" else kind, directory=directory)
    for part in expected:
        assert part in str(error.value), (part, str(error.value))


def test_bootstrap_with_broken_content_creates_no_program(tmp_path, monkeypatch):
    directory = _broken_copy(tmp_path, "workplace.json", lambda d: d.pop("pages"))
    monkeypatch.setattr(starter_content, "CONTENT_DIR", directory)
    with pytest.raises(starter_content.StarterContentError, match="workplace.json"):
        make_program("broken-office", template="workplace")
    assert not Program.objects.filter(slug="broken-office").exists()


def test_bootstrapping_again_adds_no_page_and_keeps_an_editors_changes(program):
    landing, pages = _section(program)
    before = sorted(Page.objects.descendant_of(landing).values_list("path", "slug"))
    article = ArticlePage.objects.child_of(landing.get_children().get(slug="articles")).get(
        slug="confidentiality"
    )
    article.title = "What stays between us"
    article.body = [{"type": "paragraph", "value": "<p>Our own words.</p>"}]
    article.save_revision().publish()
    landing.intro = "<p>Welcome, from the station's own team.</p>"
    landing.save_revision().publish()

    make_program(program.slug, template=program.kind)

    assert sorted(Page.objects.descendant_of(landing).values_list("path", "slug")) == before
    article.refresh_from_db()
    assert article.title == "What stays between us"
    assert "Our own words." in str(article.body)
    landing.refresh_from_db()
    assert landing.intro == "<p>Welcome, from the station's own team.</p>"
