from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from programs.services import tokens

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Make a named API token for a person, list theirs, or revoke all of them."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("email")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS)

    def handle(self, *args, action, email, name, days, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the email address {email}.")
        if action == "create":
            try:
                api_token, key = tokens.token_create(user=user, name=name, days=days)
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
            self.stdout.write(
                f"API token '{api_token.name}' for {user.email}, valid for {days} days. "
                "It is shown only now:"
            )
            self.stdout.write(key)
        elif action == "list":
            for api_token in tokens.token_list(user=user):
                self.stdout.write(
                    f"{api_token.pk}\t{api_token.name}\t{api_token.token.token_key}…\t"
                    f"expires {api_token.token.expiry:%Y-%m-%d}"
                )
        elif count := tokens.tokens_revoke_all(user=user):
            self.stdout.write(self.style.SUCCESS(f"{count} API token(s) of {user.email} revoked."))
        else:
            self.stdout.write(f"{user.email} had no API token; nothing changed.")
