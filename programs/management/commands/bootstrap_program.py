from programs import launch
from programs.blueprints import BLUEPRINTS
from programs.services import setup

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Create a program from a template, with its admin, pages and training requirements."

    def add_arguments(self, parser):
        # No argparse `choices`: its error is a screenful of usage; the service says it in a line.
        parser.add_argument("--template", required=True, help="/".join(sorted(BLUEPRINTS)))
        parser.add_argument("--name", required=True, help="The program's name.")
        parser.add_argument("--slug", required=True, help="Used in web addresses.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--organisation", default="", help="Defaults to the program's name.")
        parser.add_argument(
            "--country",
            default="US",
            help="ISO 3166 code whose crisis lines the program starts with (default US).",
        )

    def handle(self, *args, template, name, slug, admin_email, organisation, country, **options):
        result = setup.program_bootstrap(
            template=template,
            name=name,
            slug=slug,
            admin_email=admin_email,
            organisation_name=organisation,
            country=country,
        )
        if result.changes:
            for change in result.changes:
                self.stdout.write(f"- {change}")
            self.stdout.write(self.style.SUCCESS(f"Program '{slug}' is ready."))
        else:
            self.stdout.write(f"Program '{slug}' already exists as asked; nothing changed.")
        if result.admin_invited:
            self.stdout.write(
                f"An invitation to choose a password was emailed to {result.admin.email}."
            )
        print_checklist(self.stdout, result.program)


def print_checklist(stdout, program) -> None:
    """The program's state and launch checklist, and how to open it."""
    items = launch.checklist(program)
    stdout.write("")
    stdout.write(f"Program '{program.slug}' is {program.get_state_display().lower()}.")
    stdout.write("Launch checklist:")
    for item in items:
        if item.done:
            stdout.write(f"  ✓ done     {item.label}")
        else:
            stdout.write(f"  ✗ missing  {item.label}: {item.hint}")
    if program.accepts_requests:
        return
    if launch.missing(items):
        stdout.write(
            "It takes no requests and is not listed until it opens. Its admin completes the "
            "checklist on the Wagtail dashboard, then opens it there or with "
            f"`manage.py program_open {program.slug}`."
        )
    else:
        stdout.write(
            f"Everything is ready: open it with `manage.py program_open {program.slug}` "
            "or from the Wagtail dashboard."
        )
