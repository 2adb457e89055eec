"""What the CMS adds to a program's report: counts only, never who."""

from .models import EventSignup, ProgramPage


def signup_counts(sender, program, **kwargs) -> dict:
    """Sign-ups for the program's coming group sessions (past ones are deleted daily)."""
    page = ProgramPage.objects.filter(program=program).first()
    if page is None:
        return {}
    return {
        "signups": EventSignup.objects.filter(
            event__path__startswith=page.path, waiting=False
        ).count()
    }
