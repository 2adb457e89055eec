"""The caller's own API tokens."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from programs.services import tokens

from .. import serializers as s
from .base import (
    StaffAPIView,
    errors,
    validated,
)


class TokenListView(StaffAPIView):
    @property
    def throttle_scope(self):
        # Making tokens is limited tightly; looking at one's own list as any staff call is.
        return "token" if self.request.method == "POST" else "staff"

    @extend_schema(
        tags=["auth"],
        summary="My API tokens that still work (never their keys)",
        responses={200: s.TokenSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        return Response(s.TokenSerializer(tokens.token_list(user=request.user), many=True).data)

    @extend_schema(
        tags=["auth"],
        summary="Make a named API token for myself; its key is shown only in this answer",
        request=s.TokenInSerializer,
        responses={201: s.TokenCreatedSerializer, **errors(400, 401, 403, 429)},
    )
    def post(self, request):
        data = validated(s.TokenInSerializer, request.data)
        api_token, key = tokens.token_create(
            user=request.user, name=data["name"], days=data["expires_in_days"]
        )
        body = {**s.TokenSerializer(api_token).data, "token": key}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetailView(StaffAPIView):
    @extend_schema(
        tags=["auth"],
        summary="Revoke one of my API tokens",
        request=None,
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request, pk):
        if not tokens.token_revoke(user=request.user, token_id=pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
