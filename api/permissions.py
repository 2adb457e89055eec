"""Program-scoped checks for API views, answered by programs.permissions."""

from django.http import Http404

from programs import permissions
from programs.models import Program


def program_for(user, slug: str, perm: str) -> Program:
    """The program if the caller holds `perm` in it.

    Someone with no role in the program gets a 404, as if it were not there; a member
    whose role lacks the permission gets a 403.
    """
    program = (
        permissions.programs_with_any(user, permissions.ALL_PERMISSIONS).filter(slug=slug).first()
    )
    if program is None:
        raise Http404
    permissions.require(user, perm, program)
    return program
