"""What each kind of program starts with. Admins change all of it afterwards."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import Channel, HelpResource, Program


@dataclass(frozen=True)
class Training:
    name: str
    description: str
    hours: float | None
    valid_for_months: int | None


@dataclass(frozen=True)
class Blueprint:
    kind: str
    topics: list[str]
    channels: list[str]
    unit_label: str
    training: list[Training]
    help_resources: list[dict] = field(default_factory=list)


FUNDAMENTALS = Training(
    _("Peer support fundamentals"),
    _("The peer role, active listening, and when and how to refer on."),
    16,
    36,
)
CONFIDENTIALITY = Training(
    _("Confidentiality and boundaries"),
    _("What stays confidential, its limits, role conflict and dual relationships."),
    4,
    24,
)
SUICIDE_INTERVENTION = Training(
    _("Suicide intervention"),
    _("Recognising risk, asking directly, and connecting to crisis care."),
    14,
    36,
)
CRITICAL_INCIDENT = Training(
    _("Critical-incident peer support"),
    _("Support after critical incidents: defusing, psychological first aid, follow-up."),
    14,
    36,
)
SECOND_VICTIM = Training(
    _("Supporting colleagues after adverse events"),
    _("Second-victim support after clinical incidents, and moral distress."),
    6,
    24,
)

GENERIC_LINES = [
    {
        "name": _("Emergency services"),
        "kind": HelpResource.Kind.CRISIS,
        "phone": "911",
        "hours": _("24/7"),
        "description": _("If you or someone else is in immediate danger."),
    },
    {
        "name": _("988 Suicide & Crisis Lifeline"),
        "kind": HelpResource.Kind.CRISIS,
        "phone": "988",
        "url": "https://988lifeline.org/",
        "hours": _("24/7, call or text"),
        "description": _("Free, confidential support for people in distress."),
    },
]

BLUEPRINTS: dict[str, Blueprint] = {
    Program.Kind.WORKPLACE.value: Blueprint(
        kind=Program.Kind.WORKPLACE,
        topics=[
            "stress",
            "workplace-conflict",
            "relationships",
            "family",
            "grief",
            "menopause",
            "substance-use",
            "other",
        ],
        channels=[Channel.MESSAGES, Channel.PHONE, Channel.VIDEO, Channel.IN_PERSON],
        unit_label=_("department"),
        training=[FUNDAMENTALS, CONFIDENTIALITY, SUICIDE_INTERVENTION],
        help_resources=GENERIC_LINES,
    ),
    Program.Kind.FIRST_RESPONDER.value: Blueprint(
        kind=Program.Kind.FIRST_RESPONDER,
        topics=[
            "critical-incident",
            "trauma",
            "stress",
            "grief",
            "substance-use",
            "relationships",
            "family",
            "other",
        ],
        channels=[Channel.MESSAGES, Channel.PHONE, Channel.IN_PERSON],
        unit_label=_("station"),
        training=[FUNDAMENTALS, CONFIDENTIALITY, SUICIDE_INTERVENTION, CRITICAL_INCIDENT],
        help_resources=GENERIC_LINES,
    ),
    Program.Kind.HEALTHCARE.value: Blueprint(
        kind=Program.Kind.HEALTHCARE,
        topics=[
            "stress",
            "critical-incident",
            "moral-distress",
            "trauma",
            "grief",
            "substance-use",
            "menopause",
            "other",
        ],
        channels=[Channel.MESSAGES, Channel.PHONE, Channel.VIDEO, Channel.IN_PERSON],
        unit_label=_("ward or department"),
        training=[FUNDAMENTALS, CONFIDENTIALITY, SUICIDE_INTERVENTION, SECOND_VICTIM],
        help_resources=GENERIC_LINES,
    ),
}
