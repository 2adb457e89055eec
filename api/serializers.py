"""Input serializers check shape; output serializers choose what each caller may read.

Rules live in programs/services; nothing here decides who may do what.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.models import (
    Case,
    CaseEvent,
    CaseNote,
    Channel,
    ContactType,
    HelpResource,
    Message,
    Program,
    Referral,
    ReferralKind,
    Role,
    SupporterProfile,
    Urgency,
)
from programs.services.intake import MAX_ALIAS_LENGTH, MAX_CONTACT_LENGTH, MAX_MESSAGE_LENGTH
from programs.services.roster import Status as SupporterStatus

# ---------------------------------------------------------------- errors (with crisis lines)


class HelpResourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = HelpResource
        fields = ["name", "kind", "phone", "url", "hours", "description"]


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    crisis_lines = HelpResourceSerializer(
        many=True,
        required=False,
        help_text=_(
            "With a refusal a requester might meet (a program not open, too many requests): "
            "the program's crisis lines, to show at once."
        ),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


# ---------------------------------------------------------------- public


class ChoiceOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class IntakeFormSerializer(serializers.Serializer):
    program = serializers.CharField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=Program.State.choices)
    accepts_requests = serializers.BooleanField(
        help_text=_("True only while the program is open; otherwise a request is refused.")
    )
    is_open = serializers.BooleanField(help_text=_("Deprecated: the same as accepts_requests."))
    confidentiality_limits = serializers.CharField()
    channels = ChoiceOutSerializer(many=True)
    topics = ChoiceOutSerializer(many=True)
    urgencies = ChoiceOutSerializer(many=True)
    languages = ChoiceOutSerializer(many=True)
    units = serializers.ListField(child=serializers.CharField())
    crisis_lines = HelpResourceSerializer(many=True)


# ---------------------------------------------------------------- anonymous requester


class PreferencesInSerializer(serializers.Serializer):
    shared_experience = serializers.BooleanField(required=False, default=False)
    gender = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=12,
        help_text=_("A language code from the intake form, e.g. 'en'."),
    )
    exclude_unit = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=120,
        help_text=_("A unit name from the intake form: no supporter from it will be asked."),
    )


class RequestInSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=MAX_MESSAGE_LENGTH)
    topics = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list, max_length=30
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, default=Channel.MESSAGES
    )
    contact_detail = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_CONTACT_LENGTH
    )
    alias = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_ALIAS_LENGTH
    )
    preferences = PreferencesInSerializer(required=False)
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, default=Urgency.ROUTINE
    )
    in_danger = serializers.BooleanField(required=False, default=False)


class ReceiptOutSerializer(serializers.Serializer):
    receipt_code = serializers.CharField(
        help_text=_("Shown once. Keep it private: it is the only way back to this request.")
    )
    status = serializers.CharField()
    crisis = serializers.BooleanField()
    crisis_lines = HelpResourceSerializer(many=True)


class ReceiptCodeInSerializer(serializers.Serializer):
    receipt_code = serializers.CharField(max_length=64)


class RequesterReplyInSerializer(ReceiptCodeInSerializer):
    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH)


class RequesterMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["sender", "body", "created_at"]


class RequesterReplyOutSerializer(RequesterMessageSerializer):
    crisis = serializers.BooleanField(
        help_text=_("True when the reply asks for help now: show the crisis lines at once.")
    )
    crisis_lines = HelpResourceSerializer(many=True)

    class Meta(RequesterMessageSerializer.Meta):
        fields = [*RequesterMessageSerializer.Meta.fields, "crisis", "crisis_lines"]


class SupporterForRequesterSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        allow_null=True, help_text=_("Shown once the supporter has accepted the request.")
    )
    confidentiality_limits = serializers.CharField(
        help_text=_("Shown as soon as the request is offered to this supporter.")
    )


class RequesterViewSerializer(serializers.Serializer):
    program = serializers.CharField()
    status = serializers.ChoiceField(choices=Case.Status.choices)
    is_open = serializers.BooleanField()
    waiting_for_match = serializers.BooleanField(
        help_text=_("True while no supporter is free; a coordinator has been told.")
    )
    supporter = SupporterForRequesterSerializer(allow_null=True)
    messages = RequesterMessageSerializer(many=True)
    # Issue 14 item 5: when retention deletes the conversation (and plan); null while open.
    deletes_on = serializers.DateField(allow_null=True)
    retention_days = serializers.IntegerField()


class WithdrawnSerializer(serializers.Serializer):
    status = serializers.CharField()


# ---------------------------------------------------------------- staff: cases


class CaseListSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program.slug")
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    assigned_to = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "program",
            "status",
            "urgency",
            "crisis_flag",
            "channel",
            "topics",
            "assigned_to",
            "created_at",
            "last_contact_at",
        ]


class QueueItemSerializer(CaseListSerializer):
    message = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "no_match", "in_danger", "message"]

    def get_message(self, obj) -> str:
        return obj.first_text or ""


class CaseMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "sender", "body", "created_at"]


class CaseNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "contact_date", "contact_type", "referral_offered", "text", "created_at"]


class CaseDetailSerializer(CaseListSerializer):
    """Reads the case pages' selector (`record` in its context, selectors.case_record): only
    the supporter who accepted the case gets the contact detail (empty for everyone else)."""

    contact_detail = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    preferred_language = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "in_danger",
            "no_match",
            "outcome",
            "closed_at",
            "alias",
            "contact_detail",
            "wants_shared_experience",
            "preferred_gender",
            "preferred_language",
            "messages",
            "notes",
        ]

    def get_contact_detail(self, obj) -> str:
        return obj.contact_detail if self.context["record"]["show_contact"] else ""

    @extend_schema_field(CaseMessageSerializer(many=True))
    def get_messages(self, obj) -> list:
        return CaseMessageSerializer(self.context["record"]["conversation"], many=True).data

    @extend_schema_field(CaseNoteSerializer(many=True))
    def get_notes(self, obj) -> list:
        """Empty until the supporter accepts the case (coordinators always see them)."""
        return CaseNoteSerializer(self.context["record"]["notes"], many=True).data


class CaseUpdateInSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Case.Status.choices)
    outcome = serializers.ChoiceField(
        choices=Case.Outcome.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Needed when closing."),
    )
    closing_message = serializers.CharField(
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Sent to the requester when closing; needed if their last message is unanswered."
        ),
    )


# The supporter's actions on their own case, as on the case page.


class DeclineInSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=CaseEvent.DeclineReason.choices,
        help_text=_("Only the reason category is kept. The request goes back."),
    )


class CaseStatusInSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (Case.Status.CONTACTED, Case.Status.CONTACTED.label),
            (Case.Status.ACTIVE, Case.Status.ACTIVE.label),
        ]
    )


class ReferralInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=ReferralKind.choices,
        help_text=_("This records that you offered a referral, not to whom."),
    )


class CloseInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Case.Outcome.choices)
    closing_message = serializers.CharField(
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Sent to the requester, who reads it with the crisis lines; needed if their last "
            "message has not been answered."
        ),
    )


class CaseStateSerializer(serializers.Serializer):
    """Where a case stands after an action; no content."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Case.Status.choices)
    outcome = serializers.CharField(allow_blank=True)
    handover_pending = serializers.BooleanField()


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = ["id", "kind", "created_at"]


class StaffReplyInSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH)


class NoteInSerializer(serializers.Serializer):
    contact_date = serializers.DateField(required=False, help_text=_("Defaults to today."))
    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    referral_offered = serializers.BooleanField(required=False, default=False)
    text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_MESSAGE_LENGTH
    )


class AssignInSerializer(serializers.Serializer):
    supporter = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text=_("A roster entry id.")
    )


# ---------------------------------------------------------------- staff: programs and roster


class ProgramSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.ChoiceField(
        choices=Program.State.choices,
        help_text=_("Read-only: the program's admin opens and closes it in the admin."),
    )
    is_open = serializers.BooleanField(help_text=_("Deprecated: true when state is open."))
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


class RosterEntrySerializer(serializers.ModelSerializer):
    """Reads selectors.roster_entries, which decides what each caller may see."""

    email = serializers.EmailField(source="user.email")
    unit = serializers.SerializerMethodField()
    capacity = serializers.IntegerField(read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    lived_experience = serializers.SerializerMethodField(
        help_text=_(
            "Topic slugs. Health-related personal data: shown to coordinators and the "
            "supporter themself only; null for others."
        )
    )
    channels = serializers.SerializerMethodField()
    trained = serializers.SerializerMethodField()
    active_cases = serializers.SerializerMethodField(
        help_text=_("Shown to coordinators only; null for others.")
    )

    class Meta:
        model = SupporterProfile
        fields = [
            "id",
            "email",
            "display_name",
            "status",
            "unit",
            "languages",
            "lived_experience",
            "channels",
            "capacity",
            "trained",
            "active_cases",
        ]

    def get_unit(self, obj) -> str | None:
        return obj.unit.name if obj.unit else None

    @extend_schema_field(serializers.ListField(child=serializers.SlugField(), allow_null=True))
    def get_lived_experience(self, obj):
        return obj.lived_experience_shown

    def get_channels(self, obj) -> list[str]:
        return [str(c.value) for c in obj.offered_channels()]

    def get_trained(self, obj) -> bool:
        return obj.trained

    def get_active_cases(self, obj) -> int | None:
        return obj.load


class RosterAddInSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class RosterUpdateInSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SupporterStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class RosterUpdateByIdInSerializer(RosterUpdateInSerializer):
    id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


# ---------------------------------------------------------------- reports


class ReportCellSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class ReportWaitSerializer(serializers.Serializer):
    key = serializers.CharField()
    shown = serializers.BooleanField(help_text=_("False when the month had fewer than k."))
    median_hours = serializers.IntegerField(
        source="median",
        allow_null=True,
        help_text=_("Half of the month's requests had a first contact within this many hours."),
    )
    p90_hours = serializers.IntegerField(
        source="p90", allow_null=True, help_text=_("The same for nine in ten.")
    )


class ReportShareSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    percent = serializers.IntegerField(
        allow_null=True, help_text=_("Null when a count it needs is hidden.")
    )


class ReportQuarterSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The calendar quarter, as 2025-Q3."))
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("Exclusive: the first day after the quarter."))
    all_suppressed = serializers.BooleanField()
    total = ReportCellSerializer(help_text=_("Requests of the quarter's shown months."))
    by_topic = ReportCellSerializer(many=True)
    by_channel = ReportCellSerializer(many=True)
    by_urgency = ReportCellSerializer(many=True)
    cases = ReportCellSerializer(many=True, help_text=_("Open or closed at the quarter's end."))
    outcomes = ReportCellSerializer(many=True, help_text=_("Of the closed requests."))
    referrals = ReportCellSerializer(many=True, help_text=_("Professional help offered, or not."))
    matching = ReportCellSerializer(many=True, help_text=_("No eligible supporter at first."))
    shares = ReportShareSerializer(many=True)


class ReportSerializer(serializers.Serializer):
    program = serializers.CharField(source="program.slug")
    threshold = serializers.IntegerField(help_text=_("Counts from 1 to threshold-1 are hidden."))
    bucket = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text=_("Exclusive: the first day after the period."))
    all_suppressed = serializers.BooleanField()
    total = ReportCellSerializer()
    per_month = ReportCellSerializer(many=True)
    quarters = ReportQuarterSerializer(
        many=True,
        help_text=_("The last four calendar quarters that have ended, oldest first; fixed."),
    )
    first_contact = ReportWaitSerializer(many=True)
    supporters = ReportCellSerializer(many=True, help_text=_("The roster today, by status."))
    training = ReportCellSerializer(many=True, help_text=_("Active and paused supporters."))
    capacity = ReportCellSerializer(many=True)
    activity = ReportCellSerializer(many=True)
    shares = ReportShareSerializer(many=True)


# ---------------------------------------------------------------- tokens


class TokenInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, help_text=_("What the token is for."))
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=365, default=90, help_text=_("From 1 to 365 days.")
    )


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_with = serializers.CharField(source="token.token_key")
    created = serializers.DateTimeField(source="token.created")
    expires = serializers.DateTimeField(source="token.expiry")


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text=_("Shown only now: it is stored only as a hash."))
