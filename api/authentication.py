"""Token authentication: django-rest-knox's, less one query on every call.

Knox reads the presented token (with its owner), then, to tidy up, every other token of
that owner, deleting the expired ones (`TokenAuthentication._cleanup_token`): a second
query on each API call. Here only the presented token is checked (an expired one is refused
and deleted, as knox does), and the owner's other expired tokens go in the daily purge
(`purge_expired`, through `services.tokens.tokens_purge_expired`) and whenever the owner
lists their tokens. An expired token never authenticates either way.
"""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.signals import token_expired


class TokenAuthentication(knox_auth.TokenAuthentication):
    """`Authorization: Token <key>`, as knox checks it (digest, expiry, auto-refresh,
    active user), in one read."""

    def _cleanup_token(self, auth_token) -> bool:
        """True (and the token deleted, and knox's `token_expired` sent) if it has expired.
        Knox's own also reads and tidies the owner's other tokens; see the module's note."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class TokenScheme(KnoxTokenScheme):
    """The schema describes this class as it describes knox's."""

    target_class = "api.authentication.TokenAuthentication"
