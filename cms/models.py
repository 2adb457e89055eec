"""Editorial pages. Each program has a section: landing page, articles, resources, newsletter."""

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from programs import selectors
from programs.models import Program, TrainingRequirement

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.RichTextBlock(features=["bold", "italic", "link"])

    class Meta:
        icon = "info-circle"
        template = "cms/blocks/callout.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        max_length=120, form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    callout = CalloutBlock()


class ProgramSectionMixin:
    """Pages inside a program's section know their program, for crisis lines and links."""

    def get_program_page(self):
        """The landing page this page is on or under, with its program, in one query."""
        if isinstance(self, ProgramPage):
            return self
        return ProgramPage.objects.ancestor_of(self).live().select_related("program").first()

    def serve(self, request, *args, **kwargs):
        """A program that is getting ready shows its pages to its own staff only."""
        program_page = self.get_program_page()
        if program_page is not None and not selectors.program_pages_visible(
            program=program_page.program, user=request.user
        ):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        program_page = self.get_program_page()
        program = program_page.program if program_page else None
        if program is not None and getattr(program, "prefetched_help_resources", None) is None:
            # Read once: the crisis bar and the page's own lists both use this list.
            program.prefetched_help_resources = program.help_resource_list()
        context["program_page"] = program_page
        context["program"] = program
        return context


class StoryPage(ProgramSectionMixin, Page):
    """A page of prose inside a program's section: a summary and a body."""

    summary = models.CharField(_("summary"), max_length=240, blank=True)
    body = StreamField(BodyBlock(), blank=True)

    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    subpage_types = []

    class Meta:
        abstract = True

    @classmethod
    def panels_with(cls, *extra):
        return Page.content_panels + [FieldPanel(name) for name in (*extra, "summary", "body")]


class HomePage(Page):
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.ProgramPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["program_pages"] = (
            ProgramPage.objects.child_of(self)
            .live()
            .filter(program__state=Program.State.OPEN)  # Program.is_listed
            .specific()
        )
        return context

    def route(self, request, path_components):
        """Find the page at the path in one query, not two per level of the tree; a path
        no page has exactly (a routable page's own sub-path) takes Wagtail's walk."""
        if path_components:
            page = (
                Page.objects.filter(
                    path__startswith=self.path,
                    depth=self.depth + len(path_components),
                    url_path=f"{self.url_path}{'/'.join(path_components)}/",
                )
                .specific()
                .first()
            )
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)


class ProgramPageForm(WagtailAdminPageForm):
    """A landing page belongs to one program for good: its editors choose no other, and
    never see the other programs' names; a new one is for a program that has none."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "program" in self.fields:
            if self.instance.program_id:
                programs = Program.objects.filter(pk=self.instance.program_id)
            else:
                programs = Program.objects.filter(landing_page__isnull=True)
            self.fields["program"].queryset = programs


class ProgramPage(ProgramSectionMixin, Page):
    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="landing_page"
    )
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    body = StreamField(BodyBlock(), blank=True)

    base_form_class = ProgramPageForm
    content_panels = Page.content_panels + [
        FieldPanel("program"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = [
        "cms.ArticleIndexPage",
        "cms.ResourceIndexPage",
        "cms.NewsletterIndexPage",
        "cms.TrainingIndexPage",
    ]
    api_fields = [APIField("intro"), APIField("body")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Training material is for supporters; it is linked from their caseload instead.
        # Titles and links only: the base page rows are enough, no query per section type.
        context["sections"] = self.get_children().live().not_type(TrainingIndexPage)
        context["help_resources"] = selectors.help_resources(program=context["program"])
        return context


class ArticleIndexPage(ProgramSectionMixin, Page):
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.ProgramPage"]
    subpage_types = ["cms.ArticlePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Same-day articles keep the editor's order in the page tree.
        context["articles"] = ArticlePage.objects.child_of(self).live().order_by("-date", "path")
        return context


class ArticlePage(StoryPage):
    date = models.DateField(_("date"))

    content_panels = StoryPage.panels_with("date")
    parent_page_types = ["cms.ArticleIndexPage"]
    api_fields = [APIField("date"), APIField("summary"), APIField("body")]


class ResourceIndexPage(ProgramSectionMixin, Page):
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.ProgramPage"]
    subpage_types = ["cms.ResourcePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["resources"] = ResourcePage.objects.child_of(self).live()
        program = context.get("program")
        context["help_resources"] = selectors.help_resources(program=program) if program else []
        return context


class ResourcePage(StoryPage):
    link = models.URLField(_("external link"), blank=True)

    content_panels = StoryPage.panels_with("link")
    parent_page_types = ["cms.ResourceIndexPage"]
    api_fields = [APIField("summary"), APIField("link"), APIField("body")]


class NewsletterIndexPage(ProgramSectionMixin, Page):
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.ProgramPage"]
    subpage_types = ["cms.NewsletterIssuePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["issues"] = (
            NewsletterIssuePage.objects.child_of(self).live().order_by("-issue_date")
        )
        return context


class NewsletterIssuePage(StoryPage):
    issue_date = models.DateField(_("issue date"))

    content_panels = StoryPage.panels_with("issue_date")
    parent_page_types = ["cms.NewsletterIndexPage"]
    api_fields = [APIField("issue_date"), APIField("summary"), APIField("body")]


class TrainingIndexPage(ProgramSectionMixin, Page):
    """Training material supporters read and then mark complete from their caseload."""

    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.ProgramPage"]
    subpage_types = ["cms.TrainingModulePage"]


class TrainingModulePage(StoryPage):
    content_panels = StoryPage.panels_with()
    parent_page_types = ["cms.TrainingIndexPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Reading counts as completing only for a page set as a requirement's training page;
        # a course outline is completed on the course, and the coordinator records it.
        context["read_to_complete"] = TrainingRequirement.objects.filter(page=self).exists()
        return context
