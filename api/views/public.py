"""The program's public face: crisis lines, help resources and the intake form."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from programs import selectors
from programs.models import (
    Urgency,
)

from .. import serializers as s
from .base import (
    AnonymousAPIView,
    errors,
)


class ResourcesView(AnonymousAPIView):
    @extend_schema(
        tags=["public"],
        auth=[],
        summary="A program's crisis lines and help resources",
        responses={200: s.HelpResourceSerializer(many=True), **errors(404, 429)},
    )
    def get(self, request, slug):
        program = selectors.program_get_public(slug=slug)
        resources = selectors.help_resources(program=program)
        return Response(s.HelpResourceSerializer(resources, many=True).data)


def _choices(items) -> list[dict]:
    return [{"key": str(key), "label": str(label)} for key, label in items]


class IntakeFormView(AnonymousAPIView):
    @extend_schema(
        tags=["public"],
        auth=[],
        summary="What a request to this program may contain, and the limits of confidentiality",
        responses={200: s.IntakeFormSerializer, **errors(404, 429)},
    )
    def get(self, request, slug):
        program = selectors.program_get_public(slug=slug)
        face = selectors.program_intake_face(program=program)
        data = {
            **face,
            "program": program.slug,
            "name": program.name,
            "channels": _choices((c.value, c.label) for c in face["channels"]),
            "topics": _choices((t.slug, t.name) for t in face["topics"]),
            "urgencies": _choices(Urgency.choices),
            "languages": _choices((lang.code, lang.name) for lang in face["languages"]),
            "units": [unit.name for unit in face["units"]],
        }
        return Response(s.IntakeFormSerializer(data).data)
