"""Each program gets its own section of the site, with starter content an admin edits."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Page, Site

from programs.services.members import content_group_name

from .models import (
    ArticleIndexPage,
    ArticlePage,
    HomePage,
    NewsletterIndexPage,
    NewsletterIssuePage,
    ProgramPage,
    ResourceIndexPage,
    ResourcePage,
    TrainingIndexPage,
)

CONTENT_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def _rich(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _para(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": _rich(text)}]


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


def _grant_content_permissions(program, program_page) -> None:
    group, _created = Group.objects.get_or_create(name=content_group_name(program))
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in CONTENT_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=program_page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )


@transaction.atomic
def ensure_program_section(program) -> list[str]:
    """Create the program's pages if they are missing; say what was added."""
    changes: list[str] = []
    home = ensure_home()
    program_page = ProgramPage.objects.filter(program=program).first()
    if program_page is None:
        program_page = home.add_child(
            instance=ProgramPage(
                title=program.name,
                slug=program.slug,
                program=program,
                intro=_rich(
                    _(
                        "Sometimes work and life get heavy. Our peer supporters are trained "
                        "colleagues who have lived through hard times themselves. You can ask "
                        "one of them to get in touch, without giving your name."
                    ),
                    _(
                        "Peer support is not therapy or an emergency service. If you are in "
                        "danger now, use the crisis lines at the top of every page."
                    ),
                ),
            )
        )
        changes.append(_("created the program's pages"))
    today = timezone.localdate()
    sections = [
        (
            ArticleIndexPage,
            _("Articles"),
            "articles",
            _("Short reads from peer supporters and the program team."),
            ArticlePage,
            {
                "title": _("What peer support is, and what it is not"),
                "slug": "what-peer-support-is",
                "date": today,
                "summary": _("A colleague who listens, understands and helps you find more help."),
                "body": _para(
                    _(
                        "A peer supporter is a trained colleague who has been through "
                        "something hard and come out the other side. They listen without "
                        "judging, help you think things through, and help you find "
                        "professional care when you need it. They are not counsellors, "
                        "and they do not report to your manager."
                    )
                ),
            },
        ),
        (
            ResourceIndexPage,
            _("Help and resources"),
            "resources",
            _("Places to turn to, day and night."),
            ResourcePage,
            {
                "title": _("Looking after yourself after a hard shift"),
                "slug": "after-a-hard-shift",
                "summary": _("Small things that help in the first days."),
                "body": _para(
                    _(
                        "Sleep, food and people you trust matter more than usual after "
                        "a hard experience. Strong reactions are normal and usually ease "
                        "with time. If they do not, or if they get worse, talk to someone."
                    )
                ),
            },
        ),
        (
            NewsletterIndexPage,
            _("Newsletter"),
            "newsletter",
            _("News from the peer support program."),
            NewsletterIssuePage,
            {
                "title": _("Welcome to peer support"),
                "slug": "welcome",
                "issue_date": today,
                "summary": _("Our program is open."),
                "body": _para(
                    _(
                        "Our peer support program is open. You can ask for a peer "
                        "supporter to get in touch from the program's page, without "
                        "giving your name."
                    )
                ),
            },
        ),
        (
            TrainingIndexPage,
            _("Training for supporters"),
            "training",
            _("Material for peer supporters."),
            None,
            None,
        ),
    ]
    for index_class, title, slug, intro, child_class, child in sections:
        index_page = index_class.objects.child_of(program_page).first()
        if index_page is None:
            index_page = program_page.add_child(
                instance=index_class(title=title, slug=slug, intro=_rich(intro))
            )
            if child_class is not None:
                index_page.add_child(instance=child_class(**child))
            changes.append(_("created the %(section)s section") % {"section": title})
    _grant_content_permissions(program, program_page)
    return changes
