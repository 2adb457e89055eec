from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from programs.models import Membership, Role
from programs.services import members

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Take a role in a program away from a person; the last admin is never removed."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, help="/".join(Role.values))

    def handle(self, *args, slug, email, role, **options):
        role = self.role(role)
        program = self.program(slug)
        membership = Membership.objects.filter(
            program=program, user__email__iexact=email.strip(), role=role
        ).first()
        label = Role(role).label
        if membership is None:
            self.stdout.write(f"{email} is not {label} in {program}; nothing changed.")
            return
        try:
            members.membership_revoke(membership=membership)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{email} is no longer {label} in {program}."))
