"""Commands fail with one clear line and a non-zero exit, never a traceback."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


def one_line(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(
            str(m) for errors in exc.error_dict.values() for e in errors for m in e.messages
        )
    return " ".join(str(m) for m in exc.messages)


class ToolkitCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from None
