from django.conf import settings
from django.core.management.base import CommandError

from programs.models import Program, Role
from programs.services import members

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Give a person a role in a program, creating their account if needed."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, help="/".join(Role.values))

    def handle(self, *args, slug, email, role, **options):
        if role not in Role.values:
            raise CommandError(f"Unknown role '{role}'; choose one of: {', '.join(Role.values)}.")
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(f"No program with the slug '{slug}'.")
        user, created = members.user_get_or_create(email=email)
        _membership, granted = members.membership_grant(program=program, user=user, role=role)
        label = Role(role).label
        if granted:
            self.stdout.write(self.style.SUCCESS(f"{user.email} is now {label} in {program}."))
        else:
            self.stdout.write(f"{user.email} was already {label} in {program}; nothing changed.")
        if not user.has_usable_password():
            link = members.set_password_url(user=user, base_url=settings.TOOLKIT_BASE_URL)
            self.stdout.write(f"Send this one-time link to {user.email} to set a password:")
            self.stdout.write(link)
