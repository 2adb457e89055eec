from programs.models import Role
from programs.services import members

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Give a person a role in a program, creating their account if needed."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, help="/".join(Role.values))

    def handle(self, *args, slug, email, role, **options):
        role = self.role(role)
        program = self.program(slug)
        added = members.member_add(program=program, email=email, role=role)
        user, granted = added.user, added.granted
        label = Role(role).label
        if granted:
            self.stdout.write(self.style.SUCCESS(f"{user.email} is now {label} in {program}."))
        else:
            self.stdout.write(f"{user.email} was already {label} in {program}; nothing changed.")
        if added.invited:
            self.stdout.write(f"An invitation to choose a password was emailed to {user.email}.")
        elif added.notified:
            self.stdout.write(f"{user.email} was told of the new role by email.")
