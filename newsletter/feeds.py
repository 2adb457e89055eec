"""RSS and Atom feeds of a program's published newsletter issues."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from cms.models import NewsletterIndexPage, NewsletterIssuePage
from programs import selectors


class IssuesFeed(Feed):
    def get_object(self, request, slug):
        program = selectors.program_get_public(slug=slug, with_help=False)
        if not selectors.program_pages_visible(program=program, user=request.user):
            raise Http404
        index = (
            NewsletterIndexPage.objects.live()
            .descendant_of(program.landing_page)
            .order_by("path")
            .first()
            if hasattr(program, "landing_page")
            else None
        )
        if index is None:
            raise Http404
        index.program = program
        return index

    def title(self, index):
        return _("%(program)s: %(title)s") % {"program": index.program.name, "title": index.title}

    def link(self, index):
        return index.full_url or "/"

    def description(self, index):
        return _("New issues of the %(program)s newsletter.") % {"program": index.program.name}

    def items(self, index):
        return (
            NewsletterIssuePage.objects.child_of(index)
            .live()
            .public()
            .order_by("-issue_date", "-pk")[:20]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.full_url

    def item_pubdate(self, item):
        return item.first_published_at


class AtomIssuesFeed(IssuesFeed):
    feed_type = Atom1Feed

    def subtitle(self, index):
        return self.description(index)
