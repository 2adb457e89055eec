"""The launch checklist: what a program still needs before it may open.

A read module (models and eligibility only, never services): the dashboard panel, the
program's launch screen, `bootstrap_program` and `services.launch.program_open` all ask
here, so the rule that blocks opening is the one the admin reads. Three queries at most.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from . import eligibility
from .models import HelpResource, Membership, Program, Role

MIN_SUPPORTERS = 2

COORDINATOR = "coordinator"
SUPPORTERS = "supporters"
CRISIS_LINES = "crisis_lines"
PROFESSIONAL_HELP = "professional_help"
HOURS = "hours"
CONFIDENTIALITY = "confidentiality"

# The two items a person vouches for: services.launch.program_confirm sets these.
CONFIRMATIONS = {
    CRISIS_LINES: "crisis_lines_reviewed_at",
    CONFIDENTIALITY: "confidentiality_reviewed_at",
}


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    done: bool
    hint: str


def _facts(program: Program) -> dict:
    """One query for what lives in other tables, one for the trained roster."""
    facts = (
        Program.objects.filter(pk=program.pk)
        .annotate(
            has_coordinator=Exists(
                Membership.objects.filter(
                    program_id=OuterRef("pk"), role=Role.COORDINATOR, user__is_active=True
                )
            ),
            has_crisis_line=Exists(
                HelpResource.objects.filter(
                    program_id=OuterRef("pk"), kind=HelpResource.Kind.CRISIS
                )
            ),
            has_professional_help=Exists(
                HelpResource.objects.filter(
                    program_id=OuterRef("pk"),
                    kind__in=[HelpResource.Kind.EAP, HelpResource.Kind.CLINICAL],
                )
            ),
        )
        .values("has_coordinator", "has_crisis_line", "has_professional_help")
        .first()
    ) or {"has_coordinator": False, "has_crisis_line": False, "has_professional_help": False}
    facts["supporters"] = eligibility.able_supporters(program=program).count()
    return facts


def checklist(program: Program) -> list[Item]:
    """Every item, in the order to work through them, each with what to do about it."""
    facts = _facts(program)
    return [
        Item(
            COORDINATOR,
            _("A coordinator"),
            facts["has_coordinator"],
            _("Add a coordinator under People: they read the queue and assign requests."),
        ),
        Item(
            SUPPORTERS,
            _("At least %(n)d active supporters with valid training") % {"n": MIN_SUPPORTERS},
            facts["supporters"] >= MIN_SUPPORTERS,
            _(
                "Add supporters under People, record their training in the training ledger "
                "and set them active on the roster (%(now)d ready now)."
            )
            % {"now": facts["supporters"]},
        ),
        Item(
            CRISIS_LINES,
            _("Crisis lines reviewed"),
            facts["has_crisis_line"] and program.crisis_lines_reviewed_at is not None,
            _(
                "Check each crisis line's number against its source, keep at least one, "
                "then confirm you have reviewed them."
            ),
        ),
        Item(
            PROFESSIONAL_HELP,
            _("An EAP or professional-help resource"),
            facts["has_professional_help"],
            _(
                "Add your employee assistance program or a clinical service under the "
                "program's crisis lines and help."
            ),
        ),
        Item(
            HOURS,
            _("Staffed hours and expected reply time"),
            bool(program.staffed_hours.strip() and program.expected_reply_time.strip()),
            _("Fill in staffed hours and expected reply time in the program's settings."),
        ),
        Item(
            CONFIDENTIALITY,
            _("Confidentiality text reviewed"),
            program.confidentiality_reviewed_at is not None,
            _(
                "Read the limits of confidentiality requesters see, adjust them to your "
                "organisation, then confirm you have reviewed them."
            ),
        ),
    ]


def missing(items: list[Item]) -> list[Item]:
    return [item for item in items if not item.done]


def is_complete(program: Program) -> bool:
    return not missing(checklist(program))
