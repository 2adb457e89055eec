"""Export a program's roster as CSV, or import one (with a dry run), from the command line."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from programs.services import roster_csv

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Export or import a program's supporter roster as CSV (the admin's roster CSV view)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write the roster as CSV.")
        export.add_argument("slug")
        export.add_argument("--output", "-o", help="A file to write; standard output if left out.")
        export.add_argument("--actor", help="Export as this admin or coordinator (email).")
        importing = actions.add_parser("import", help="Add or update supporters from a CSV.")
        importing.add_argument("slug")
        importing.add_argument("file")
        importing.add_argument(
            "--actor", required=True, help="The admin or coordinator recorded as deciding."
        )
        importing.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args, action, slug, actor=None, **options):
        program = self.program(slug)
        person = None
        if actor:
            person = get_user_model().objects.filter(email__iexact=actor, is_active=True).first()
            if person is None:
                raise CommandError(f"No active account with the email '{actor}'.")
        try:
            if action == "export":
                self.export(program, person, options.get("output"))
            else:
                self.import_(program, person, options["file"], options["dry_run"])
        except PermissionDenied:
            raise CommandError(
                f"{actor} may not manage the roster of {program}; only its admins and "
                "coordinators may."
            ) from None

    def export(self, program, person, output):
        if person is None:  # someone with shell access can read the database anyway
            text = roster_csv.roster_csv_text(program=program, columns=roster_csv.COLUMNS)
        else:
            text = roster_csv.roster_export(program=program, actor=person)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote the roster of {program} to {output}.")
        else:
            self.stdout.write(text, ending="")

    def import_(self, program, person, path, dry_run):
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path} as UTF-8 text: {exc}") from None
        report = roster_csv.roster_import(
            program=program, actor=person, csv_text=text, dry_run=dry_run
        )
        for error in report.file_errors:
            self.stderr.write(error)
        for row in report.rows:
            problems = "; ".join(row.errors)
            self.stdout.write(f"row {row.number}: {row.email}: {row.outcome} {problems}".rstrip())
        totals = ", ".join(f"{n} {key}" for key, n in report.totals.items())
        if not report.ok:
            raise CommandError(f"Nothing was imported: fix the rows above. ({totals})")
        if dry_run:
            self.stdout.write(f"Dry run: the file is fine ({totals}); nothing was saved.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported into {program} ({totals})."))
