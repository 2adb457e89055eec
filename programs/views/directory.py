"""A program's directory of help: crisis lines, EAP, care, peer groups and helplines."""

from django.http import Http404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import HelpDirectoryFilterForm

FILTERS = ("kind", "region", "language")


@require_GET
def help_directory(request, slug):
    """Every help resource of this program, filtered by a plain GET form; crisis lines first."""
    program = selectors.program_get_public(slug=slug)
    if not selectors.program_pages_visible(program=program, user=request.user):
        raise Http404
    form = HelpDirectoryFilterForm(
        request.GET if any(request.GET.get(f) for f in FILTERS) else None,
        **selectors.help_directory_choices(program=program),
    )
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return TemplateResponse(
        request,
        "programs/help_directory.html",
        {
            "program": program,
            "form": form,
            "filtered": bool(filters),
            "resources": selectors.help_directory(program=program, **filters),
        },
    )
