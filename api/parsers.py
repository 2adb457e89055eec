"""JSON bodies only, never larger than Django's own upload limit, never hostile in shape."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .exceptions import RequestTooLarge

NUL = "\x00"


def has_nul(data) -> bool:
    """True if any string (key or value) holds a NUL; walked without recursion."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def reject_nul_in_query(request) -> None:
    """PostgreSQL cannot store or compare text with NUL in it: refuse it with a 400."""
    if not getattr(request, "_request", request).META.get("QUERY_STRING"):  # nothing to read
        return
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            raise ParseError(_("The address holds a character that is not allowed (NUL)."))


class LimitedJSONParser(JSONParser):
    """Django's limit does not cover bodies read as a stream, so apply it here (413).

    A body nested thousands deep exhausts Python's recursion limit in the decoder, and a
    NUL in a string cannot be stored: both are a 400, not a server error.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            declared = int(length or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            raise RequestTooLarge
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("JSON parse error - nested too deeply.")) from exc
        if has_nul(data):
            raise ParseError(_("JSON parse error - a string holds a NUL character."))
        return data
