"""Reads, already scoped to what the caller may see."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from . import permissions
from .models import HelpResource, Program


def program_get_public(*, slug: str) -> Program:
    """A program's public face: anyone may see its pages and crisis lines."""
    return get_object_or_404(
        Program.objects.prefetch_related(
            Prefetch("help_resources", queryset=HelpResource.objects.order_by("sort_order", "pk"))
        ),
        slug=slug,
    )


def program_get_for_user(*, user, slug: str, perm: str) -> Program:
    """The program if the user holds the permission in it; otherwise a 404."""
    return get_object_or_404(permissions.programs_for(user, perm), slug=slug)


def help_resources(*, program: Program, crisis_only: bool = False):
    qs = program.help_resources.all()
    if crisis_only:
        qs = qs.filter(kind=HelpResource.Kind.CRISIS)
    return qs.order_by("sort_order", "pk")
