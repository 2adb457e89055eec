"""Turnkey set-up of a program from a blueprint."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import crisis_directory
from ..blueprints import BLUEPRINTS
from ..models import Channel, Organisation, Program, Role, Topic
from ..signals import program_ready
from . import members


@dataclass
class BootstrapResult:
    program: Program
    changes: list[str] = field(default_factory=list)
    admin_invited: bool = False
    admin: object = None


def _validate_slug(slug: str) -> None:
    if not slug or slugify(slug) != slug:
        raise ValidationError(
            {"slug": _("Use only lowercase letters, numbers and hyphens, e.g. 'city-fire'.")}
        )


@transaction.atomic
def program_bootstrap(
    *,
    template: str,
    name: str,
    slug: str,
    admin_email: str,
    organisation_name: str = "",
    country: str = "US",
    notify: bool = True,
) -> BootstrapResult:
    """Create (or confirm) an organisation, a program with its defaults, and its admin.

    A new program starts with its country's crisis lines from the shipped directory."""
    blueprint = BLUEPRINTS.get(template)
    if blueprint is None:
        raise ValidationError(
            {
                "template": _("Unknown template '%(t)s'; choose one of: %(all)s.")
                % {"t": template, "all": ", ".join(BLUEPRINTS)}
            }
        )
    country = (country or "").strip().upper()
    crisis_lines = crisis_directory.load().lines_for(country)  # unknown: one clear error
    if not name.strip():
        raise ValidationError({"name": _("Give the program a name.")})
    _validate_slug(slug)
    org_name = (organisation_name or name).strip()
    org_slug = slugify(org_name)[:50] or slug
    admin, admin_created = members.user_get_or_create(email=admin_email)

    changes: list[str] = []
    program = Program.objects.filter(slug=slug).select_related("organisation").first()
    if program and program.organisation.slug != org_slug:
        raise ValidationError(
            {"slug": _("The slug '%(s)s' is already used by another organisation.") % {"s": slug}}
        )
    if program and program.kind != blueprint.kind:
        raise ValidationError(
            {
                "template": _("Program '%(s)s' exists with another template (%(k)s).")
                % {"s": slug, "k": program.kind}
            }
        )
    if program is None:
        organisation, org_created = Organisation.objects.get_or_create(
            slug=org_slug, defaults={"name": org_name}
        )
        if org_created:
            changes.append(_("created organisation %(o)s") % {"o": organisation.name})
        program = Program(
            organisation=organisation,
            name=name.strip(),
            slug=slug,
            kind=blueprint.kind,
            country=country,
            unit_label=str(blueprint.unit_label),
            **{Program.channel_field(c): c in blueprint.channels for c in Channel},
        )
        program.full_clean()
        program.save()
        program.topics.set(Topic.objects.filter(slug__in=blueprint.topics))
        for line in crisis_lines:
            program.help_resources.create(**line.as_help_resource())
        for training in blueprint.training:
            program.training_requirements.create(
                name=str(training.name),
                description=str(training.description),
                hours=training.hours,
                valid_for_months=training.valid_for_months,
            )
        program.save()  # child relations of a ClusterableModel are written only on save
        changes.append(_("created program %(p)s") % {"p": program.name})

    members.editorial_groups_ensure(program=program)
    admin_added = members.member_add(
        program=program, email=admin.email, role=Role.ADMIN, notify=notify
    )
    granted = admin_added.granted
    if admin_created:
        changes.append(_("created user %(e)s") % {"e": admin.email})
    if granted:
        changes.append(_("made %(e)s the program admin") % {"e": admin.email})
    responses = program_ready.send(sender=Program, program=program)
    for _receiver, added in responses:
        changes.extend(added or [])
    return BootstrapResult(
        program=program,
        changes=changes,
        admin=admin,
        admin_invited=admin_added.invited,
    )
