"""JSON bodies only, and never larger than Django's own upload limit."""

from django.conf import settings
from rest_framework.parsers import JSONParser

from .exceptions import RequestTooLarge


class LimitedJSONParser(JSONParser):
    """Django's limit does not cover bodies read as a stream, so apply it here (413)."""

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
        return super().parse(stream, media_type, parser_context)
