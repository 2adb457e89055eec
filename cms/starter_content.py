"""The pages a new program starts with, read from fixtures/starter_content/.

The words are data (one file shared by every template, one per template) that editors change
in Wagtail afterwards. This module checks the files and creates only the pages whose slug is
still free, so running bootstrap again never duplicates a page or overwrites an editor's work.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.blueprints import BLUEPRINTS

from .models import (
    ArticleIndexPage,
    ArticlePage,
    BodyBlock,
    ResourceIndexPage,
    ResourcePage,
    TrainingIndexPage,
    TrainingModulePage,
)

CONTENT_DIR = Path(settings.BASE_DIR) / "fixtures" / "starter_content"
COMMON = "common"

# type -> (index page class, page class) for pages that live in a section's index
SECTION_TYPES = {
    "article": (ArticleIndexPage, ArticlePage),
    "resource": (ResourceIndexPage, ResourcePage),
    "training": (TrainingIndexPage, TrainingModulePage),
}
PAGE_TYPES = {"landing", *SECTION_TYPES}
REQUIRED_KEYS = {
    "landing": {"intro", "body"},
    "article": {"slug", "title", "summary", "body"},
    "resource": {"slug", "title", "summary", "body"},
    "training": {"slug", "title", "summary", "body", "training"},
}
OPTIONAL_KEYS = {"resource": {"link"}}
# What Wagtail's rich text editor keeps for the features BodyBlock's paragraphs allow.
RICH_TEXT_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a", "h2", "h3"}
TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")


class StarterContentError(ImproperlyConfigured):
    """A starter content file is missing or wrong; the message names the file and the page."""


@dataclass(frozen=True)
class StarterPage:
    type: str
    source: str
    slug: str = ""
    title: str = ""
    summary: str = ""
    intro: str = ""
    link: str = ""
    training: str = ""
    body: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.source}: {self.slug or self.type}"


def file_name(kind: str) -> str:
    return kind.replace("-", "_") + ".json"


def _fail(source: str, page: str | None, problem: str):
    where = f"{source}, page '{page}'" if page else source
    raise StarterContentError(
        _("Starter content %(where)s: %(problem)s") % {"where": where, "problem": problem}
    )


def _check_rich_text(source: str, page: str, html, what: str) -> None:
    if not isinstance(html, str) or not html.strip().startswith("<"):
        _fail(source, page, _("%(what)s must be HTML, such as <p>…</p>.") % {"what": what})
    unknown = {tag.lower() for tag in TAG.findall(html)} - RICH_TEXT_TAGS
    if unknown:
        _fail(
            source,
            page,
            _("%(what)s uses tags the editor does not keep: %(tags)s.")
            % {"what": what, "tags": ", ".join(sorted(unknown))},
        )


def _check_body(source: str, page: str, body) -> None:
    stream = BodyBlock()
    if not isinstance(body, list) or not body:
        _fail(source, page, _("'body' must be a non-empty list of blocks."))
    for number, item in enumerate(body, start=1):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in stream.child_blocks:
            _fail(
                source,
                page,
                _("block %(n)d has type '%(t)s'; use one of: %(all)s.")
                % {"n": number, "t": kind, "all": ", ".join(stream.child_blocks)},
            )
        value = item.get("value")
        if kind == "paragraph":
            _check_rich_text(source, page, value, _("block %(n)d") % {"n": number})
        elif kind == "callout":
            if not isinstance(value, dict) or set(value) != {"title", "text"}:
                _fail(source, page, _("callout %(n)d needs a title and a text.") % {"n": number})
            _check_rich_text(source, page, value["text"], _("callout %(n)d") % {"n": number})
        elif not isinstance(value, str) or not value.strip():
            _fail(source, page, _("heading %(n)d needs some text.") % {"n": number})
    try:
        stream.clean(stream.to_python(body))
    except ValidationError as error:
        _fail(source, page, "; ".join(error.messages))


def _read(path: Path, kind: str) -> list[StarterPage]:
    source = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(source, None, _("the file is missing from %(dir)s.") % {"dir": path.parent})
    except json.JSONDecodeError as error:
        _fail(source, None, _("not valid JSON (%(error)s).") % {"error": error})
    if not isinstance(data, dict) or data.get("kind") != kind:
        _fail(source, None, _('the file must say "kind": "%(kind)s".') % {"kind": kind})
    pages = data.get("pages")
    if not isinstance(pages, list):
        _fail(source, None, _("'pages' must be a list."))
    result = []
    for number, raw in enumerate(pages, start=1):
        if not isinstance(raw, dict):
            _fail(source, f"#{number}", _("each page must be an object."))
        page_type = raw.get("type")
        name = raw.get("slug") or page_type or f"#{number}"
        if page_type not in PAGE_TYPES:
            _fail(
                source,
                name,
                _("type '%(t)s' is unknown; use one of: %(all)s.")
                % {"t": page_type, "all": ", ".join(sorted(PAGE_TYPES))},
            )
        required = REQUIRED_KEYS[page_type]
        missing = required - set(raw)
        if missing:
            _fail(source, name, _("missing %(keys)s.") % {"keys": ", ".join(sorted(missing))})
        extra = set(raw) - required - OPTIONAL_KEYS.get(page_type, set()) - {"type"}
        if extra:
            _fail(source, name, _("unknown keys %(keys)s.") % {"keys": ", ".join(sorted(extra))})
        for key in required - {"body", "intro"}:
            if not isinstance(raw[key], str) or not raw[key].strip():
                _fail(source, name, _("'%(key)s' needs some text.") % {"key": key})
        if "slug" in raw and slugify(raw["slug"]) != raw["slug"]:
            _fail(source, name, _("the slug may use only lowercase letters, numbers and hyphens."))
        if "intro" in raw:
            _check_rich_text(source, name, raw["intro"], "intro")
        _check_body(source, name, raw["body"])
        result.append(StarterPage(source=source, **raw))
    return result


def load(kind: str, directory: Path | None = None) -> list[StarterPage]:
    """A template's starter pages: the common ones, each replaced by the template's own page
    of the same slug if it has one, then the template's other pages. Raises
    StarterContentError, naming the file and page, if anything is wrong."""
    directory = directory or CONTENT_DIR
    blueprint = BLUEPRINTS.get(kind)
    if blueprint is None:
        _fail(file_name(kind), None, _("there is no template '%(kind)s'.") % {"kind": kind})
    own_file = file_name(kind)
    pages: dict[str, StarterPage] = {}
    for page in [*_read(directory / f"{COMMON}.json", COMMON), *_read(directory / own_file, kind)]:
        key = page.slug or page.type
        if key in pages and pages[key].source == page.source:
            _fail(page.source, key, _("the slug is used twice in this file."))
        pages[key] = page
    if "landing" not in pages:
        _fail(own_file, None, _("it needs one page of type 'landing'."))
    with translation.override(None):  # the blueprint's names as written, not translated
        order = [str(training.name) for training in blueprint.training]
    required = set(order)
    for page in pages.values():
        if page.type == "training" and page.training not in required:
            _fail(
                page.source,
                page.slug,
                _("'training' must name one of the template's trainings: %(all)s.")
                % {"all": ", ".join(sorted(required))},
            )
    uncovered = required - {p.training for p in pages.values() if p.type == "training"}
    if uncovered:
        _fail(
            own_file,
            None,
            _("no training page for: %(names)s.") % {"names": ", ".join(sorted(uncovered))},
        )

    def position(page: StarterPage):
        # Trainings in the blueprint's order; otherwise the template's own pages come first,
        # since they speak to this audience most directly.
        if page.type == "training":
            return order.index(page.training)
        return 0 if page.source == own_file else 1

    return sorted(pages.values(), key=position)  # stable: each file's order within a group


def landing(kind: str) -> StarterPage:
    return next(page for page in load(kind) if page.type == "landing")


def _publish(page) -> None:
    """Publish through a revision, as an editor would, so the page's history starts here."""
    page.save_revision().publish()


@transaction.atomic
def section_fill(*, program_page, kind: str) -> list[str]:
    """Add each starter page whose slug is free in its index; never touch existing pages."""
    today = timezone.localdate()
    added = 0
    for page in load(kind):
        if page.type == "landing":
            continue
        index_class, page_class = SECTION_TYPES[page.type]
        index = index_class.objects.child_of(program_page).first()
        if index is None or index.get_children().filter(slug=page.slug).exists():
            continue
        fields = {"title": page.title, "slug": page.slug, "summary": page.summary}
        fields["body"] = page.body
        if page_class is ArticlePage:
            fields["date"] = today
        if page_class is ResourcePage:
            fields["link"] = page.link
        _publish(index.add_child(instance=page_class(**fields)))
        added += 1
    if not added:
        return []
    return [ngettext("added %(n)d starter page", "added %(n)d starter pages", added) % {"n": added}]
