"""What every API view shares: authentication, parsing, error shapes and audit naming."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from programs import permissions

from .. import fastinput
from .. import serializers as s
from ..authentication import TokenAuthentication
from ..parsers import LimitedJSONParser, reject_nul_in_query
from ..throttling import StaffThrottle

VIA = "api"


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(s.ErrorSerializer) for code in codes}


def validated(serializer_class, data, *, fast: bool = False) -> dict:
    """The serializer's validated data, or its 400. With `fast`, plain valid input skips
    building the serializer (api.fastinput); anything else is validated by it as always."""
    if fast:
        plain = fastinput.plain_data(serializer_class, data)
        if plain is not None:
            return plain
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StaffAPIView(APIView):
    """Signed-in staff: a token (Authorization: Token …) or a session with its CSRF token."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [StaffThrottle]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_nul_in_query(request)
        # A token-authenticated user is a new object each request: its roles, once.
        permissions.memo_for_request(request.user)


class AnonymousAPIView(APIView):
    """No login, no session, no cookie; limits counted on a keyed hash of the client."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_nul_in_query(request)


STAFF_ERRORS = (401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 429)
