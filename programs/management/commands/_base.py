"""Commands fail with one clear line and a non-zero exit, never a traceback."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programs.models import Program, Role


def one_line(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(
            str(m) for errors in exc.error_dict.values() for e in errors for m in e.messages
        )
    return " ".join(str(m) for m in exc.messages)


class ToolkitCommand(BaseCommand):
    def program(self, slug: str):
        """The program with this slug, or one clear line saying there is none."""
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(f"No program with the slug '{slug}'.")
        return program

    def role(self, role: str) -> str:
        if role not in Role.values:
            raise CommandError(f"Unknown role '{role}'; choose one of: {', '.join(Role.values)}.")
        return role

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from None
