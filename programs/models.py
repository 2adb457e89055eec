"""The peer support domain: programs, people and their roles, requests and caseloads.

Support requests carry no user, IP address or user agent: the requester is known only
by the keyed hash of a receipt code they keep. Free text is encrypted at rest.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from privacy.crypto import EncryptedTextField
from privacy.timeutils import coarse_now

from . import crisis_directory

MIN_REPORT_THRESHOLD = 5

DEFAULT_CONFIDENTIALITY_LIMITS = _(
    "What you tell a peer supporter stays between you and them. They do not tell your "
    "manager or HR, and this program keeps no record of who you are. There are limits: "
    "if you tell a supporter that you or someone else is in immediate danger of serious "
    "harm, or about the abuse of a child or vulnerable adult, they may have to act to "
    "keep people safe, and a court can order records to be produced. Peer supporters are "
    "colleagues, not counsellors: they will help you find professional care when you "
    "need it."
)


class Channel(models.TextChoices):
    MESSAGES = "messages", _("Anonymous messages on this site")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("Email")
    VIDEO = "video", _("Video call")
    IN_PERSON = "in_person", _("In person")


CHANNELS_NEEDING_CONTACT = {Channel.PHONE, Channel.EMAIL, Channel.VIDEO, Channel.IN_PERSON}


class ChoiceLabels:
    """`get_FOO_display` with one translation per call.

    Django's own hashes every (value, label) pair of the field's choices on each call, and
    hashing a lazy label translates it: a coordinator page showing 120 statuses and channels
    ran about a thousand translations. Our choice values are plain strings, so a dict keyed
    by the values finds the label, and only that label is translated.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(dict(field.flatchoices).get(value, value), strings_only=True)


class ChannelsMixin(models.Model):
    """Which ways of meeting are offered; one boolean each so matching can filter in SQL."""

    offers_messages = models.BooleanField(_("anonymous messages"), default=True)
    offers_phone = models.BooleanField(_("phone"), default=False)
    offers_email = models.BooleanField(_("email"), default=False)
    offers_video = models.BooleanField(_("video"), default=False)
    offers_in_person = models.BooleanField(_("in person"), default=False)

    class Meta:
        abstract = True

    @staticmethod
    def channel_field(channel: str) -> str:
        return f"offers_{channel}"

    def offered_channels(self) -> list[Channel]:
        return [c for c in Channel if getattr(self, self.channel_field(c))]


class Topic(models.Model):
    """One shared vocabulary for what a request is about and a supporter's lived experience."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Language(models.Model):
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)

    def __str__(self):
        return self.name


class Program(ChoiceLabels, ChannelsMixin, ClusterableModel):
    class State(models.TextChoices):
        """A new program gets ready first; its admin opens it once the launch checklist
        (programs/launch.py) is complete, and may close it again."""

        GETTING_READY = "getting_ready", _("Getting ready")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        WORKPLACE = "workplace", _("Workplace")
        FIRST_RESPONDER = "first-responder", _("First responder service")
        HEALTHCARE = "healthcare", _("Healthcare")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        unique=True, help_text=_("Used in web addresses, e.g. /p/<slug>/request/.")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        choices=crisis_directory.country_choices,
        default="US",
        help_text=_(
            "Where the program's people are. New programs start with this country's "
            "crisis and emergency lines (fixtures/crisis_lines.json)."
        ),
    )
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="+",
        verbose_name=_("request topics"),
        help_text=_("The topics a requester can choose from."),
    )
    unit_label = models.CharField(
        _("name for units"),
        max_length=40,
        default=_("department"),
        help_text=_("What this organisation calls its units: station, ward, department…"),
    )
    confidentiality_limits = models.TextField(
        _("limits of confidentiality"),
        default=DEFAULT_CONFIDENTIALITY_LIMITS,
        help_text=_("Shown to every requester before they write anything."),
    )
    # What a requester sees and meets at their worst moments (issue 8).
    crisis_phrases = models.TextField(
        _("extra crisis phrases"),
        default="",
        blank=True,
        help_text=_(
            "One per line, added to the built-in list taken from suicide-risk screening "
            "questions (programs/crisis.py). A request or reply containing one shows the "
            "crisis lines at once and is flagged urgent for coordinators. Case, "
            "apostrophes and word endings do not matter."
        ),
    )
    intake_limit_per_hour = models.PositiveSmallIntegerField(
        _("requests per hour from one connection"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "Leave empty for the site's default (20 an hour). Everyone behind one shared "
            "internet address (a station, an office, a ward) counts as one connection, so "
            "raise this if many people may ask from one site in a bad hour. Whoever is held "
            "back sees the crisis lines first."
        ),
    )
    expected_reply_time = models.CharField(
        _("expected reply time"),
        max_length=120,
        blank=True,
        help_text=_(
            "Shown to requesters after they send a request, for example "
            "“within one working day”. Promise only what the roster can keep."
        ),
    )
    staffed_hours = models.CharField(
        _("staffed hours"),
        max_length=200,
        blank=True,
        help_text=_(
            "When supporters and coordinators read requests, for example "
            "“Monday to Friday, 08:00–18:00”."
        ),
    )
    default_caseload_cap = models.PositiveSmallIntegerField(
        _("default caseload cap"), default=5, validators=[MinValueValidator(1)]
    )
    retention_days = models.PositiveIntegerField(
        _("retention after closing (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Closed and withdrawn requests are deleted after this many days."),
    )
    audit_retention_days = models.PositiveIntegerField(
        _("audit trail kept for (days)"),
        default=730,
        validators=[MinValueValidator(90), MaxValueValidator(3650)],
        help_text=_("Audit rows older than this are deleted; the deletion is itself audited."),
    )
    requester_idle_days = models.PositiveIntegerField(
        _("requester access ends after (idle days)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    report_threshold = models.PositiveSmallIntegerField(
        _("smallest count shown in reports"),
        default=MIN_REPORT_THRESHOLD,
        validators=[MinValueValidator(MIN_REPORT_THRESHOLD)],
        help_text=_("Counts below this are shown as 'fewer than k'. Never below 5."),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=State.choices,
        default=State.GETTING_READY,
        editable=False,
        help_text=_(
            "Getting ready: visible to the program's staff only, no requests. Open: listed "
            "and taking requests. Closed: no new requests; existing requesters still read "
            "and reply."
        ),
    )
    # The two launch-checklist items only a person can vouch for (programs/launch.py).
    crisis_lines_reviewed_at = models.DateTimeField(
        _("crisis lines reviewed"), null=True, blank=True, editable=False
    )
    confidentiality_reviewed_at = models.DateTimeField(
        _("confidentiality text reviewed"), null=True, blank=True, editable=False
    )
    auto_assign = models.BooleanField(
        _("assign new requests automatically"),
        default=False,
        help_text=_("Offer each new request to the best-matched supporter at once."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("administer_program", "Administer the program and its members"),
            ("view_reports", "See the program's aggregate reports"),
            ("manage_roster", "Manage the supporter roster and training"),
            ("triage_requests", "Read the queue, assign and reassign requests"),
            ("hold_caseload", "Hold a caseload as a peer supporter"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.offered_channels():
            raise ValidationError(_("Offer at least one way to be contacted."))

    @property
    def accepts_requests(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_listed(self) -> bool:
        """On the public home page. A closed program is not listed either; its existing
        requesters still reach their conversation with their receipt code."""
        return self.state == self.State.OPEN

    @property
    def is_getting_ready(self) -> bool:
        return self.state == self.State.GETTING_READY

    def crisis_phrase_list(self) -> list[str]:
        """The program's own phrases; the built-in ones are in programs/crisis.py."""
        return [p.strip() for p in self.crisis_phrases.splitlines() if p.strip()]

    def help_resource_list(self) -> list["HelpResource"]:
        """This program's crisis lines and help, in order.

        Never filter the `help_resources` manager: once prefetched, modelcluster's
        ParentalKey manager drops the parent filter and returns every program's rows
        (django-modelcluster #170, #103). Use the `to_attr` prefetch, or query.
        """
        prefetched = getattr(self, "prefetched_help_resources", None)
        if prefetched is not None:
            return prefetched
        return list(HelpResource.objects.filter(program=self).order_by("sort_order", "pk"))

    def crisis_lines(self) -> list["HelpResource"]:
        return [r for r in self.help_resource_list() if r.kind == HelpResource.Kind.CRISIS]


class Unit(Orderable):
    """A station, ward or department; requesters may exclude supporters from theirs."""

    program = ParentalKey(Program, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=120)

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="unique_unit_name")]

    def __str__(self):
        return self.name


class HelpResource(Orderable, ClusterableModel):
    """A crisis line or other help, listed in the program's public directory.

    Clusterable so its languages are saved with the program form it is edited in."""

    class Kind(models.TextChoices):
        CRISIS = "crisis", _("Crisis line")
        EAP = "eap", _("Employee assistance program")
        CLINICAL = "clinical", _("Clinical or professional care")
        HELPLINE = "helpline", _("Helpline")
        PEER_GROUP = "peer_group", _("Local peer group")
        ONLINE = "online", _("Online community")
        COMMUNITY = "community", _("Community or other support")

    program = ParentalKey(Program, on_delete=models.CASCADE, related_name="help_resources")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CRISIS)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    url = models.URLField(_("web address"), blank=True)
    hours = models.CharField(_("hours"), max_length=80, blank=True, default=_("24/7"))
    description = models.CharField(_("description"), max_length=240, blank=True)
    text = models.CharField(
        _("text or chat"),
        max_length=200,
        blank=True,
        help_text=_("A number to text or a chat address, if the line offers one."),
    )
    source = models.URLField(
        _("source"), blank=True, help_text=_("The official page the number was taken from.")
    )
    checked_on = models.DateField(
        _("checked on"),
        null=True,
        blank=True,
        help_text=_("When the number was last checked against its source."),
    )
    region = models.CharField(
        _("region"),
        max_length=80,
        blank=True,
        help_text=_("Where it serves, for example a county or a city; empty if everywhere."),
    )
    languages = ParentalManyToManyField(
        Language,
        blank=True,
        related_name="+",
        verbose_name=_("languages"),
        help_text=_("The languages it answers in, if you know them."),
    )

    def __str__(self):
        return self.name

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


class TrainingRequirement(Orderable):
    program = ParentalKey(Program, on_delete=models.CASCADE, related_name="training_requirements")
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    valid_for_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if it never needs renewing."),
    )
    is_required = models.BooleanField(_("required to take requests"), default=True)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("training page"),
        help_text=_("A page supporters read and then mark complete, if any."),
    )

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="unique_requirement_name")
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Program admin")
    COORDINATOR = "coordinator", _("Coordinator")
    SUPPORTER = "supporter", _("Peer supporter")
    EDITOR = "editor", _("Editor")  # writes the program's pages; its moderators publish them


class Membership(ChoiceLabels, models.Model):
    """A person's role in one program; the same person may hold other roles elsewhere."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user", "role"], name="unique_membership_role"
            )
        ]
        ordering = ["program", "role", "user__email"]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.program}"


# A supporter's own cap on active cases: the model, the admin form and the roster CSV agree.
MIN_CASELOAD = 1
MAX_CASELOAD = 50


class SupporterProfile(ChoiceLabels, ChannelsMixin, models.Model):
    """A peer champion on a program's roster."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        IN_TRAINING = "in_training", _("In training")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        RETIRED = "retired", _("Retired")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="supporters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporter_profiles"
    )
    display_name = models.CharField(
        _("name shown to requesters"), max_length=80, help_text=_("A first name is enough.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLICANT
    )
    lived_experience = models.ManyToManyField(
        Topic, blank=True, related_name="+", verbose_name=_("lived experience")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="+", verbose_name=_("languages")
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="supporters"
    )
    gender = models.CharField(_("gender (optional, self-described)"), max_length=40, blank=True)
    availability = models.CharField(
        _("weekly availability"),
        max_length=200,
        blank=True,
        help_text=_("For example: weekday evenings, Saturday mornings."),
    )
    max_active_cases = models.PositiveSmallIntegerField(
        _("maximum active cases"),
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_CASELOAD), MaxValueValidator(MAX_CASELOAD)],
        help_text=_("Leave empty to use the program's default."),
    )
    confidentiality_limits = models.TextField(
        _("limits of confidentiality that apply to this supporter"),
        blank=True,
        help_text=_("For example, a supervisor's duty to report. Shown before disclosure."),
    )
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    debrief_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["display_name"]
        constraints = [models.UniqueConstraint(fields=["program", "user"], name="unique_supporter")]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self):
        return f"{self.display_name} ({self.program})"

    @property
    def capacity(self) -> int:
        return self.max_active_cases or self.program.default_caseload_cap


class SupporterStatusChange(models.Model):
    """Selection and deselection: who decided, and when."""

    supporter = models.ForeignKey(
        SupporterProfile, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=SupporterProfile.Status.choices)
    to_status = models.CharField(max_length=12, choices=SupporterProfile.Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-decided_at"]


class TrainingCompletion(models.Model):
    class Source(models.TextChoices):
        PAGE = "page", _("Read and marked complete")
        CERTIFICATE = "certificate", _("External certificate")

    supporter = models.ForeignKey(
        SupporterProfile, on_delete=models.CASCADE, related_name="completions"
    )
    requirement = models.ForeignKey(
        TrainingRequirement, on_delete=models.CASCADE, related_name="completions"
    )
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.CERTIFICATE)
    reference = models.CharField(_("certificate reference"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_6m = models.BooleanField(default=False)
    reminded_3m = models.BooleanField(default=False)

    class Meta:
        ordering = ["-completed_on"]
        indexes = [models.Index(fields=["requirement", "supporter", "expires_on"])]


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Whenever someone is free")
    SOON = "soon", _("In the next day or two")
    URGENT = "urgent", _("As soon as possible")


class Case(ChoiceLabels, models.Model):
    """A request for peer contact, and the case it becomes. No identity is stored."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a supporter")
        OFFERED = "offered", _("Offered to a supporter")
        NEW = "new", _("Accepted, not yet contacted")
        CONTACTED = "contacted", _("Contacted")
        ACTIVE = "active", _("Active")
        REFERRED = "referred", _("Referred on")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = [
        Status.QUEUED,
        Status.OFFERED,
        Status.NEW,
        Status.CONTACTED,
        Status.ACTIVE,
        Status.REFERRED,
    ]
    ACTIVE_CASE_STATUSES = [
        Status.OFFERED,
        Status.NEW,
        Status.CONTACTED,
        Status.ACTIVE,
        Status.REFERRED,
    ]

    class Outcome(models.TextChoices):
        SUPPORTED = "supported", _("Supported; no further need")
        REFERRED = "referred", _("Referred to professional help")
        NO_RESPONSE = "no_response", _("No response from the requester")
        DECLINED = "declined", _("Requester declined support")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by (program, status) and (program, created_at) in Meta, which serve every
    # look-up by program: an index of its own would only cost each intake a write.
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    # Unique by a constraint in Meta, not unique=True, which on PostgreSQL adds a second
    # index for LIKE searches that a digest never needs.
    receipt_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.MESSAGES)
    contact_detail = EncryptedTextField()
    alias = EncryptedTextField()
    wants_shared_experience = models.BooleanField(default=False)
    preferred_gender = models.CharField(max_length=40, blank=True)
    # Most requests leave these empty: indexed only where set (Meta), so an intake without
    # them writes no index entry for them. A deleted language or unit is found there.
    preferred_language = models.ForeignKey(
        Language,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    excluded_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    in_danger = models.BooleanField(default=False)
    crisis_flag = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        SupporterProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,  # (assigned_to, status) in Meta serves it
    )
    no_match = models.BooleanField(default=False)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    # Times are kept to the hour so that time alone does not point at a shift.
    created_at = models.DateTimeField()
    requester_seen_at = models.DateTimeField()
    last_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # After retention only an anonymous skeleton stays (month, channel, urgency, topics,
    # outcome) so that past report counts never change; see cases.cases_purge_expired.
    purged = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["assigned_to", "status"]),
            # The reports read a program's requests by month.
            models.Index(fields=["program", "created_at"]),
            models.Index(
                fields=["preferred_language"],
                condition=Q(preferred_language__isnull=False),
                name="case_language_set",
            ),
            models.Index(
                fields=["excluded_unit"],
                condition=Q(excluded_unit__isnull=False),
                name="case_excluded_unit_set",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["receipt_hash"], name="case_receipt_hash_unique"),
            models.CheckConstraint(
                condition=Q(status="queued")
                | Q(assigned_to__isnull=False)
                | Q(status__in=["closed", "withdrawn"]),
                name="assigned_unless_queued",
            ),
        ]

    def __str__(self):
        return f"Case {str(self.id)[:8]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Message(ChoiceLabels, models.Model):
    class Sender(models.TextChoices):
        REQUESTER = "requester", _("You")
        SUPPORTER = "supporter", _("Peer supporter")
        COORDINATOR = "coordinator", _("Coordinator")
        # A notice from the program itself, such as the warning before retention deletes.
        PROGRAM = "program", _("Program notice")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=12, choices=Sender.choices)
    # Empty for the requester's messages (every intake, every reply): indexed only where
    # set (Meta), for a deleted account's messages.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    body = EncryptedTextField()
    created_at = models.DateTimeField()
    # The supporter's last word when they closed the case; shown apart on the closed view.
    is_closing = models.BooleanField(default=False)

    class Meta:
        # By id, never by time: times are rounded to the hour, so two messages in one
        # hour would otherwise tie and a reply could show above what it answers.
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["author"], condition=Q(author__isnull=False), name="message_author_set"
            )
        ]


class SafetyPlan(models.Model):
    """The person's safety plan and recovery roadmap, one per case, owned by the person.

    The whole plan is one JSON document encrypted at rest (services.plans.EMPTY_PLAN gives
    its shape): which parts are filled, how many steps and which resources were picked are
    as unreadable as the words, a proposal is a snapshot of the same shape, and retention
    deletes one row. Only services.plans reads or writes it.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="safety_plan")
    content = EncryptedTextField()
    # To the hour, like the requester's messages.
    updated_at = models.DateTimeField()


class PlanProposal(models.Model):
    """A plan the assigned supporter proposes; the person accepts (maybe changed) or rejects."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for you")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not taken")
        REPLACED = "replaced", _("Replaced by a newer proposal")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = EncryptedTextField()
    note = EncryptedTextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]


class ContactType(models.TextChoices):
    MESSAGE = "message", _("Message")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    IN_PERSON = "in_person", _("In person")
    UNDISCLOSED = "undisclosed", _("Prefer not to record")


class ReferralKind(models.TextChoices):
    EAP = "eap", _("Employee assistance program")
    CLINICIAN = "clinician", _("Clinician or therapist")
    CRISIS = "crisis", _("Crisis service")
    OTHER = "other", _("Other professional help")
    UNDISCLOSED = "undisclosed", _("Prefer not to record")


class CaseNote(ChoiceLabels, models.Model):
    """Minimal structured notes; free text is optional and private to supporter and coordinator."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_date = models.DateField(_("contact date"))
    contact_type = models.CharField(_("contact type"), max_length=12, choices=ContactType.choices)
    referral_offered = models.BooleanField(_("referral offered"), default=False)
    text = EncryptedTextField(_("note (optional)"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contact_date", "-id"]


class Referral(ChoiceLabels, models.Model):
    """That a referral was offered, and to what kind of help; never to whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(max_length=12, choices=ReferralKind.choices)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class CaseEvent(ChoiceLabels, models.Model):
    """The assignment history of a request. No content."""

    class Kind(models.TextChoices):
        FLAGGED = "flagged", _("Flagged urgent")
        NO_MATCH = "no_match", _("No eligible supporter")
        OFFERED = "offered", _("Offered to a supporter")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        HANDOVER = "handover", _("Handover requested")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn by the requester")

    class DeclineReason(models.TextChoices):
        CAPACITY = "capacity", _("I don't have capacity right now")
        CONFLICT = "conflict", _("I may know this person or have a conflict")
        EXPERIENCE = "experience", _("Someone else would be a better fit")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    supporter = models.ForeignKey(
        SupporterProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=DeclineReason.choices, blank=True)
    # To the hour: events written at intake must not give away when a request came in.
    created_at = models.DateTimeField(default=coarse_now)

    class Meta:
        ordering = ["id"]


class CaseAccess(ChoiceLabels, models.Model):
    """Audit log: every read or write of a case, by whom and when. Never its content."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        REPLY = "reply", _("Replied")
        NOTE = "note", _("Added a note")
        UPDATE = "update", _("Changed status")
        ASSIGN = "assign", _("Assigned")
        REFER = "refer", _("Recorded a referral")
        REQUESTER_VIEW = "requester_view", _("Requester looked up")
        REQUESTER_REPLY = "requester_reply", _("Requester replied")
        # Safety plan and recovery roadmap (services.plans): reads and writes, never content.
        PLAN_VIEW = "plan_view", _("Read the plan")
        PLAN_PROPOSE = "plan_propose", _("Proposed plan changes")
        REQUESTER_PLAN = "requester_plan", _("Requester read their plan")
        REQUESTER_EDIT = "requester_edit", _("Requester changed their plan")
        REQUESTER_COPY = "requester_copy", _("Requester downloaded their copy")

    case_id = models.UUIDField(db_index=True)
    # No database constraints: every list a person reads writes a row per case (50 on a
    # caseload), and on PostgreSQL each constraint costs a check per row at the commit. The
    # rows come only from services.cases (program from the case row, actor from the
    # request); Django still cascades a deleted program and clears a deleted actor.
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    via = models.CharField(max_length=8, default="web")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]


class AuditEntry(ChoiceLabels, models.Model):
    """Audit log of sensitive program actions: who did what, to which kind of thing, when.

    Never content: `target` is a label such as a case number or a person's name as shown
    to admins, `data` holds small facts (old and new status, a count), never free text.
    Written through services.audit.record.
    """

    class Action(models.TextChoices):
        ASSIGNMENT = "assignment", _("Case assigned or reassigned")
        ROLE_CHANGE = "role_change", _("Role given or removed")
        ROSTER_STATUS = "roster_status", _("Supporter status changed")
        SETTINGS = "settings", _("Program settings changed")
        EXPORT = "export", _("Export")
        KEY_ROTATION = "key_rotation", _("Encryption key rotated")
        PURGE = "purge", _("Data purged")
        AUDIT_VIEW = "audit_view", _("Audit trail read")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["program", "-at"])]


class Invitation(models.Model):
    """A one-time set-password link, issued for one membership; only its hash is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ApiToken(models.Model):
    """The name and owner's view of a knox token (knox keeps only its digest)."""

    token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, related_name="api_token"
    )
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["-token__created"]


class ReportQuarter(models.Model):
    """A calendar quarter's report figures, stored the first time the quarter is reported
    after it ended, so every later report shows exactly the same figures for it.

    The raw counts of the quarter's shown months (those with at least `threshold`
    requests): no person, and nothing finer than a quarter. A new threshold is a new row.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    quarter = models.DateField()  # its first day
    threshold = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "quarter", "threshold"], name="report_quarter_once"
            )
        ]
