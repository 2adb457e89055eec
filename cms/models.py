"""Editorial pages. Each program has a section: landing page, articles, resources, newsletter."""

import zoneinfo

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from privacy.crypto import EncryptedTextField
from programs import selectors
from programs.models import Program, TrainingRequirement

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]
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
        "cms.EventIndexPage",
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


# Newsletter issue blocks: they read the program from the page's (or the email's) context,
# so an issue only ever shows its own program's articles and events.


def _absolute(url: str) -> str:
    if not url or "://" in url:
        return url or ""
    return settings.TOOLKIT_BASE_URL.rstrip("/") + url


def program_articles(*, program, pages) -> list:
    """The chosen pages that are live articles of this program, in the editor's order."""
    landing = ProgramPage.objects.filter(program=program).first() if program else None
    ids = [p.pk for p in pages if p is not None]
    if landing is None or not ids:
        return []
    found = {
        a.pk: a
        for a in ArticlePage.objects.live().public().descendant_of(landing).filter(pk__in=ids)
    }
    return [found[pk] for pk in ids if pk in found]


class ArticleTeasersBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, required=False, label=_("Heading"))
    articles = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="cms.ArticlePage"),
        min_num=1,
        max_num=6,
        label=_("Articles of this program"),
    )

    class Meta:
        icon = "doc-full"
        label = _("Article teasers")
        template = "cms/blocks/article_teasers.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        program = (parent_context or {}).get("program")
        context["teasers"] = [
            {"title": a.title, "summary": a.summary, "url": _absolute(a.url)}
            for a in program_articles(program=program, pages=value["articles"])
        ]
        return context


def event_kind_choices():
    return [("", _("All kinds")), *EventPage.Kind.choices]


class UpcomingEventsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        max_length=120, required=False, default=_("Coming up"), label=_("Heading")
    )
    kind = blocks.ChoiceBlock(
        choices=event_kind_choices,
        required=False,
        label=_("Only this kind"),
    )
    count = blocks.IntegerBlock(min_value=1, max_value=10, default=3, label=_("How many"))

    class Meta:
        icon = "date"
        label = _("Upcoming events")
        template = "cms/blocks/upcoming_events.html"

    def get_context(self, value, parent_context=None):
        from . import events

        context = super().get_context(value, parent_context=parent_context)
        program = (parent_context or {}).get("program")
        landing = ProgramPage.objects.filter(program=program).first() if program else None
        index = EventIndexPage.objects.child_of(landing).live().first() if landing else None
        found = events.upcoming_occurrences(index_page=index, kind=value["kind"]) if index else []
        context["sessions"] = [
            {"occurrence": o, "url": _absolute(o.event.url)} for o in found[: value["count"]]
        ]
        return context


class AskForSupportBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        max_length=120, default=_("Would it help to talk?"), label=_("Heading")
    )
    text = blocks.TextBlock(
        required=False,
        default=_("A trained peer who knows the job listens, in confidence."),
        label=_("Text"),
    )
    button = blocks.CharBlock(max_length=60, default=_("Ask for support"), label=_("Button"))

    class Meta:
        icon = "help"
        label = _("Call to action: ask for support")
        template = "cms/blocks/ask_for_support.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        program = (parent_context or {}).get("program")
        context["request_url"] = (
            _absolute(reverse("programs:request", args=[program.slug])) if program else ""
        )
        return context


class NewsletterBodyBlock(BodyBlock):
    articles = ArticleTeasersBlock()
    events = UpcomingEventsBlock()
    ask_for_support = AskForSupportBlock()


class NewsletterIssuePageForm(WagtailAdminPageForm):
    """Teasers may only point at the issue's own program's articles."""

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("body")
        parent = self.parent_page if getattr(self, "parent_page", None) else None
        anchor = self.instance if self.instance.pk else parent
        landing = (
            ProgramPage.objects.ancestor_of(anchor, inclusive=True).first() if anchor else None
        )
        if not body or landing is None:
            return cleaned
        chosen = [
            page
            for block in body
            if block.block_type == "articles"
            for page in block.value["articles"]
            if page is not None
        ]
        allowed = set(
            ArticlePage.objects.descendant_of(landing)
            .filter(pk__in=[p.pk for p in chosen])
            .values_list("pk", flat=True)
        )
        if any(p.pk not in allowed for p in chosen):
            self.add_error("body", _("Choose articles from this program's own section."))
        return cleaned


class NewsletterIssuePage(StoryPage):
    issue_date = models.DateField(_("issue date"))
    body = StreamField(NewsletterBodyBlock(), blank=True)

    base_form_class = NewsletterIssuePageForm
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


# Peer groups and events (see cms/events.py for recurrences, sign-ups and iCal)


class EventIndexPage(ProgramSectionMixin, Page):
    """A program's peer groups, trainings and information sessions: the coming weeks."""

    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.ProgramPage"]
    subpage_types = ["cms.EventPage"]
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        from . import events

        context = super().get_context(request, *args, **kwargs)
        form = events.EventFilterForm(request.GET or None)
        kind = form.cleaned_data["kind"] if form.is_valid() else ""
        context["filter_form"] = form
        context["occurrences"] = events.upcoming_occurrences(index_page=self, kind=kind)
        context["feed_url"] = (
            events.feed_url(context["program"]) if context.get("program") else None
        )
        return context


class EventPageForm(WagtailAdminPageForm):
    """Facilitators are chosen from the program's active supporters, and the training a
    session counts towards from the program's own; never another program's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "facilitators" in self.fields:
            from . import events

            self.fields["facilitators"].queryset = events.facilitator_choices(
                page=self.instance, parent_page=kwargs.get("parent_page")
            )
        if "training_requirement" in self.fields:
            from . import events

            self.fields["training_requirement"].queryset = events.requirement_choices(
                page=self.instance, parent_page=kwargs.get("parent_page")
            )


class EventPage(ProgramSectionMixin, Page):
    """One session, or a series of them on a rule (stored as an RRULE with EXDATEs)."""

    class Kind(models.TextChoices):
        PEER_GROUP = "peer_group", _("Peer group")
        TRAINING = "training", _("Training")
        INFORMATION = "information", _("Information session")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        PHONE = "phone", _("By phone")

    class Repeat(models.TextChoices):
        NONE = "", _("Does not repeat")
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month, on the same weekday (e.g. the second Tuesday)")

    description = RichTextField(_("description"), features=RICH_TEXT_FEATURES, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    facilitators = ParentalManyToManyField(
        "programs.SupporterProfile",
        blank=True,
        related_name="facilitated_events",
        verbose_name=_("facilitators"),
        help_text=_("Active supporters of this program; only their first name is shown."),
    )
    training_requirement = models.ForeignKey(
        "programs.TrainingRequirement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("counts towards"),
        help_text=_(
            "For a training session: the program's training it covers. Supporters whose "
            "training is missing, lapsed or lapsing see the session on their training page."
        ),
    )
    mode = models.CharField(_("how people take part"), max_length=12, choices=Mode.choices)
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("For in-person sessions.")
    )
    online_link = models.URLField(
        _("online meeting link"),
        blank=True,
        help_text=_("Shown only to people who have signed up, on their confirmation page."),
    )
    phone_details = models.CharField(
        _("how to join by phone"),
        max_length=200,
        blank=True,
        help_text=_("For phone sessions: shown only to people who have signed up."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    start = models.DateTimeField(_("starts"), help_text=_("The first (or only) session."))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration in minutes"), default=60, validators=[MinValueValidator(5)]
    )
    repeat = models.CharField(
        _("repeats"), max_length=12, choices=Repeat.choices, blank=True, default=""
    )
    repeat_until = models.DateField(_("repeats until"), null=True, blank=True)
    repeat_count = models.PositiveSmallIntegerField(
        _("number of sessions"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cancelled_dates = models.TextField(
        _("cancelled dates"),
        blank=True,
        help_text=_("One date a line (YYYY-MM-DD): no session on these days."),
    )
    rrule = models.CharField(max_length=200, blank=True, editable=False)
    exdates = models.TextField(blank=True, editable=False)
    capacity = models.PositiveSmallIntegerField(
        _("places per session"),
        default=12,
        validators=[MinValueValidator(1)],
        help_text=_("Sign-ups beyond this go on a waiting list."),
    )

    base_form_class = EventPageForm
    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("description"),
        FieldPanel("facilitators", widget=forms.CheckboxSelectMultiple),
        FieldPanel("training_requirement"),
        FieldPanel("mode"),
        FieldPanel("place"),
        FieldPanel("online_link"),
        FieldPanel("phone_details"),
        FieldPanel("start"),
        FieldPanel("time_zone", widget=forms.Select(choices=TIME_ZONE_CHOICES)),
        FieldPanel("duration_minutes"),
        FieldPanel("repeat"),
        FieldPanel("repeat_until"),
        FieldPanel("repeat_count"),
        FieldPanel("cancelled_dates"),
        FieldPanel("capacity"),
    ]
    search_fields = Page.search_fields + [index.SearchField("description")]
    parent_page_types = ["cms.EventIndexPage"]
    subpage_types = []

    def clean(self):
        from . import events

        super().clean()
        events.event_clean(self)

    def save(self, *args, **kwargs):
        from . import events

        events.event_compute(self)
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import events

        context = super().get_context(request, *args, **kwargs)
        context["occurrences"] = events.occurrences_between(
            self, timezone.now(), timezone.now() + events.LISTED_AHEAD
        )[: events.LISTED_ON_PAGE]
        context["facilitator_names"] = events.facilitator_names(self)
        if context.get("program"):
            context["ics_url"] = events.event_ics_url(context["program"], self)
        return context


class EventSignup(models.Model):
    """Someone coming to one session: a first name or alias, and an email only if they want
    a reminder (encrypted, and deleted with the sign-up once the session is over)."""

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="signups")
    occurrence = models.DateTimeField(_("session"))
    alias = models.CharField(_("first name or alias"), max_length=40)
    email = EncryptedTextField(_("email for a reminder"))
    waiting = models.BooleanField(_("on the waiting list"), default=False)
    # A keyed hash of the code the person got to cancel their place; never the code.
    cancel_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["occurrence", "pk"]
        indexes = [models.Index(fields=["event", "occurrence"])]

    def __str__(self):
        return self.alias
