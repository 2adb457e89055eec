"""Token authentication: django-rest-knox's, reading the token in one query instead of two.

Knox reads the tokens whose key matches the header, then, for each, every token of its
owner, to delete the ones that have expired (`TokenAuthentication._cleanup_token`). Every
API call paid both reads. Here one query reads the owner's tokens (a key's matches among
them) with the owner, and the same tidying runs on what it read: an expired token of the
owner is deleted, and an expired presented token is refused, as knox does.
"""

import binascii
import functools
from hmac import compare_digest

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions


class TokenAuthentication(knox_auth.TokenAuthentication):
    """`Authorization: Token <key>`, as knox checks it (digest, expiry, auto-refresh, active
    user), in one read."""

    def authenticate_credentials(self, token):
        msg = _("Invalid token.")
        token = token.decode("utf-8")
        token_key = token[: CONSTANTS.TOKEN_KEY_LENGTH]
        held = _tokens_of_owner(token_key)
        for auth_token in [t for t in held if t.token_key == token_key]:
            if auth_token.pk is None:  # an expired sibling of a token tried before
                continue
            siblings = [t for t in held if t.user_id == auth_token.user_id]
            if self._tidy(auth_token, siblings):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(msg) from exc
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def _tidy(self, auth_token, siblings) -> bool:
        """Knox's `_cleanup_token` on the owner's tokens already read: delete the others that
        have expired; True (and deleted) if this one has."""
        now = timezone.now()
        for other in siblings:
            if other.digest != auth_token.digest and other.expiry and other.expiry < now:
                other.delete()
                token_expired.send(
                    sender=self.__class__, username=other.user.get_username(), source="other_token"
                )
        if auth_token.expiry is not None and auth_token.expiry < now:
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


def _tokens_of_owner(token_key: str) -> list:
    """Every token of the owner(s) of tokens with this key, each with its owner, as
    `filter(user__in=…).select_related("user")` would read them: the statement is written
    once, since building the query cost the ORM more than the database took to answer it."""
    sql, token_columns, user_columns = _tokens_sql()
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy, which looks it up at every use
    with db.cursor() as cursor:
        cursor.execute(sql, [token_key])
        rows = cursor.fetchall()
    model, user_model = get_token_model(), _owner_model()
    split, held = len(token_columns), []
    for row in rows:
        token = _instance(db, model, token_columns, row[:split])
        token.user = _instance(db, user_model, user_columns, row[split:])
        held.append(token)
    return held


def _owner_model():
    return get_token_model()._meta.get_field("user").related_model


def _instance(db, model, columns, values):
    """A model instance from its row, the values through the backend's and the field's
    converters, as the ORM hands them over (SQLite's timestamps become aware datetimes)."""
    loaded = []
    for (_name, column, converters), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, column, db)
        loaded.append(value)
    return model.from_db(db.alias, [name for name, _c, _f in columns], loaded)


@functools.cache
def _tokens_sql() -> tuple[str, list, list]:
    """The statement, and for the token's and the owner's fields in the order it reads
    them: (attribute, column, converters). Only quoted names from the models; the key is a
    parameter."""
    qn = connection.ops.quote_name
    token, owner = get_token_model()._meta, _owner_model()._meta

    def read(meta):
        found = []
        for field in meta.concrete_fields:
            column = field.get_col(meta.db_table)
            converters = connection.ops.get_db_converters(column)
            found.append((field.attname, column, converters + field.get_db_converters(connection)))
        return found

    user_column = qn(token.get_field("user").column)
    columns = ", ".join(
        [f"t.{qn(f.column)}" for f in token.concrete_fields]
        + [f"u.{qn(f.column)}" for f in owner.concrete_fields]
    )
    sql = (
        f"SELECT {columns} FROM {qn(token.db_table)} t "  # noqa: S608
        f"INNER JOIN {qn(owner.db_table)} u ON u.{qn(owner.pk.column)} = t.{user_column} "
        f"WHERE t.{user_column} IN (SELECT o.{user_column} FROM {qn(token.db_table)} o "
        f"WHERE o.{qn(token.get_field('token_key').column)} = %s)"
    )
    return sql, read(token), read(owner)


class TokenScheme(KnoxTokenScheme):
    """The schema describes this class as it describes knox's."""

    target_class = "api.authentication.TokenAuthentication"
