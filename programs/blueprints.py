"""What each kind of program starts with. Admins change all of it afterwards.

Crisis lines come from the program's country (programs/crisis_directory.py), not the kind."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Channel, Program


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
    ),
}
