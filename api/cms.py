"""Wagtail's pages API, read-only and public: live pages without view restrictions, outside
the sections of programs that are still getting ready.

`?program=<slug>` narrows the listing to one program's section of the site.
"""

from rest_framework.permissions import AllowAny
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet

from cms.models import ProgramPage
from programs.models import Program

from .parsers import reject_nul_in_query


class PublicPagesAPIViewSet(PagesAPIViewSet):
    # Anonymous on purpose: a signed-in editor must not see restricted pages here.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["program"])

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_nul_in_query(request)

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        # A program that is getting ready shows its pages to its staff only, never here.
        for hidden in ProgramPage.objects.filter(program__state=Program.State.GETTING_READY):
            queryset = queryset.not_descendant_of(hidden, inclusive=True)
        slug = self.request.GET.get("program")
        if slug is None:
            return queryset
        section = (
            ProgramPage.objects.live()
            .public()
            .filter(program__slug=slug)
            .exclude(program__state=Program.State.GETTING_READY)
            .first()
        )
        if section is None:
            raise BadRequestError("program not found")
        return queryset.descendant_of(section, inclusive=True)


router = WagtailAPIRouter("api:cms")
router.register_endpoint("pages", PublicPagesAPIViewSet)
