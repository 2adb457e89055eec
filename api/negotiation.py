"""DRF's content negotiation, with the answer for the usual request known in advance.

Every view of this API renders JSON only. For a request with no query string and an Accept
header that is absent, `*/*` or `application/json` (what browsers' fetch, curl and most
clients send), DRF's DefaultContentNegotiation parses the header and the query string to
reach one answer: the JSON renderer, as `application/json`. That answer is given here
directly; any other request (another Accept header, a `?format=`, a view with several
renderers) is negotiated by DRF as always, 406 included. tests/api/test_negotiation.py
compares the two.
"""

from rest_framework.negotiation import DefaultContentNegotiation

PLAIN_ACCEPT = frozenset({"*/*", "application/json"})


class JSONContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        meta = request._request.META  # DRF's documented way to the HttpRequest
        if (
            format_suffix is None
            and len(renderers) == 1
            and renderers[0].media_type == "application/json"
            and not meta.get("QUERY_STRING")
            and meta.get("HTTP_ACCEPT", "*/*") in PLAIN_ACCEPT
        ):
            return renderers[0], "application/json"
        return super().select_renderer(request, renderers, format_suffix)
