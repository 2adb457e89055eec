import datetime

from django.db.models import Q
from django.utils import timezone

from programs import crisis_directory
from programs.models import HelpResource

from ._base import ToolkitCommand


def twelve_months_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class Command(ToolkitCommand):
    help = (
        "List crisis lines, shipped (fixtures/crisis_lines.json) and programs' own, "
        "last checked more than 12 months ago, and programs' own crisis lines never checked."
    )

    def handle(self, *args, **options):
        cutoff = twelve_months_before(timezone.localdate())
        directory = crisis_directory.load()
        found = 0
        for line in directory.all_lines():
            if line.checked_on < cutoff:
                found += 1
                self.stdout.write(
                    f"shipped {line.country}: {line.name} {line.number or line.text} "
                    f"(checked {line.checked_on.isoformat()}, source {line.source})"
                )
        # A program's own line never recorded as checked is as doubtful as an old one;
        # its other help (EAP, chaplaincy) is listed only once a check is on record.
        stale = (
            HelpResource.objects.filter(
                Q(checked_on__lt=cutoff) | Q(checked_on__isnull=True, kind=HelpResource.Kind.CRISIS)
            )
            .select_related("program")
            .order_by("program__slug", "sort_order", "pk")
        )
        for resource in stale:
            found += 1
            checked = (
                f"checked {resource.checked_on.isoformat()}"
                if resource.checked_on
                else "never checked"
            )
            self.stdout.write(
                f"program {resource.program.slug}: {resource.name} {resource.phone} "
                f"({checked}" + (f", source {resource.source})" if resource.source else ")")
            )
        if not found:
            self.stdout.write("all lines checked within 12 months")
