"""Each program gets its own section of the site, with starter content an admin edits
(the words are in fixtures/starter_content/, see starter_content.py)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from . import editorial, events, starter_content
from .models import (
    ArticleIndexPage,
    HomePage,
    NewsletterIndexPage,
    NewsletterIssuePage,
    ProgramPage,
    ResourceIndexPage,
    TrainingIndexPage,
)


def _rich(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _welcome_issue() -> NewsletterIssuePage:
    return NewsletterIssuePage(
        title=_("Welcome to peer support"),
        slug="welcome",
        issue_date=timezone.localdate(),
        summary=_("Our program is open."),
        body=[
            {
                "type": "paragraph",
                "value": _rich(
                    _(
                        "Our peer support program is open. You can ask for a peer "
                        "supporter to get in touch from the program's page, without "
                        "giving your name."
                    )
                ),
            }
        ],
    )


@transaction.atomic
def ensure_home() -> HomePage:
    """The site's home page; replaces Wagtail's placeholder welcome page once."""
    # Wagtail's own default site has no name, so its dashboard said "localhost".
    Site.objects.filter(is_default_site=True, site_name="").update(
        site_name=settings.WAGTAIL_SITE_NAME
    )
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
    home = root.add_child(
        instance=HomePage(
            title=_("Peer support"),
            slug="peer-support",
            intro=_rich(
                _(
                    "Talk in confidence with a trained colleague who has been there too. "
                    "Peer support sits alongside professional care; it does not replace it."
                )
            ),
        )
    )
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        old_root = site.root_page
        site.root_page = home
        site.save()
        if old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()
    else:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    return home


@transaction.atomic
def ensure_program_section(program) -> list[str]:
    """Create the program's pages if they are missing; say what was added."""
    changes: list[str] = []
    home = ensure_home()
    program_page = ProgramPage.objects.filter(program=program).first()
    if program_page is None:
        landing = starter_content.landing(program.kind)
        program_page = home.add_child(
            instance=ProgramPage(
                title=program.name,
                slug=program.slug,
                program=program,
                intro=landing.intro,
                body=landing.body,
            )
        )
        program_page.save_revision().publish()
        changes.append(_("created the program's pages"))
    sections = [
        (
            ArticleIndexPage,
            _("Articles"),
            "articles",
            _("Short reads from peer supporters and the program team."),
        ),
        (
            ResourceIndexPage,
            _("Help and resources"),
            "resources",
            _("Places to turn to, day and night."),
        ),
        (
            NewsletterIndexPage,
            _("Newsletter"),
            "newsletter",
            _("News from the peer support program."),
        ),
        (
            TrainingIndexPage,
            _("Training for supporters"),
            "training",
            _("Material for peer supporters."),
        ),
    ]
    for index_class, title, slug, intro in sections:
        if index_class.objects.child_of(program_page).exists():
            continue
        index_page = program_page.add_child(
            instance=index_class(title=title, slug=slug, intro=_rich(intro))
        )
        if index_class is NewsletterIndexPage:
            index_page.add_child(instance=_welcome_issue())
        changes.append(_("created the %(section)s section") % {"section": title})
    changes.extend(events.event_index_ensure(program_page))
    changes.extend(starter_content.section_fill(program_page=program_page, kind=program.kind))
    changes.extend(editorial.editorial_ensure(program=program, program_page=program_page))
    return changes
