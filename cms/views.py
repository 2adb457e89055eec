"""Search across one program's public pages. The query is never stored, logged or cached.

The form posts, so the words never travel in an address: not in browser history, not in
a proxy's or gunicorn's access line, not in a Referer. The route is marked as an anonymous
one (privacy.anonymous_route): no cookie, no session, no-store, no referrer, and gunicorn
writes no access line for it. Wagtail logs a query only through Query.get(q).add_hit(),
which is never called here.
"""

from django import forms
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.models import Page

from privacy import anonymous_form
from programs import selectors

from .models import ArticlePage, NewsletterIssuePage, ProgramPage, ResourcePage

MAX_RESULTS = 20
# Training material is for supporters and is reached from their caseload, not searched.
SEARCHED_TYPES = (ArticlePage, ResourcePage, NewsletterIssuePage)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search this program's pages"),
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


def search_pages(*, program_page: ProgramPage, query: str) -> list[Page]:
    """Live, public articles, resources and newsletter issues under this landing page only."""
    pages = (
        Page.objects.live().public().descendant_of(program_page).type(*SEARCHED_TYPES).specific()
    )
    return list(pages.search(query)[:MAX_RESULTS])


@anonymous_form
@require_http_methods(["GET", "POST"])
def search(request, slug):
    """A GET shows the form; a POST searches this program's pages and nothing else."""
    program = selectors.program_get_public(slug=slug)
    if not selectors.program_pages_visible(program=program, user=request.user):
        raise Http404
    program_page = ProgramPage.objects.filter(program=program).live().first()
    form = SearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_valid() and program_page is not None:
        results = search_pages(program_page=program_page, query=form.cleaned_data["q"])
    return TemplateResponse(
        request,
        "cms/search.html",
        {
            "program": program,
            "program_page": program_page,
            "search_form": form,
            "results": results,
            "max_results": MAX_RESULTS,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
