from programs.services import launch as launch_services

from ._base import ToolkitCommand
from .bootstrap_program import print_checklist


class Command(ToolkitCommand):
    help = (
        "Open a program to requests once its launch checklist is complete, close it again "
        "with --close, or only show its checklist with --check. Recorded in its history."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--close", action="store_true", help="Close it to new requests.")
        group.add_argument("--check", action="store_true", help="Show the checklist only.")

    def handle(self, *args, slug, close, check, **options):
        program = self.program(slug)
        if check:
            print_checklist(self.stdout, program)
            return
        if close:
            launch_services.program_close(program=program, actor=None)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Program '{slug}' is closed: no new requests; existing requesters can "
                    "still read and reply."
                )
            )
            return
        # With something missing the service raises, and ToolkitCommand prints one line.
        launch_services.program_open(program=program, actor=None)
        self.stdout.write(self.style.SUCCESS(f"Program '{slug}' is open and takes requests."))
