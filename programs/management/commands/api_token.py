from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from programs.services import tokens

from ._base import ToolkitCommand


class Command(ToolkitCommand):
    help = "Create (or replace) or revoke a person's API token."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("email")

    def handle(self, *args, action, email, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the email address {email}.")
        if action == "create":
            key = tokens.token_create(user=user)
            self.stdout.write(f"API token for {user.email} (any older one no longer works):")
            self.stdout.write(key)
        elif tokens.token_revoke(user=user):
            self.stdout.write(self.style.SUCCESS(f"The API token of {user.email} is revoked."))
        else:
            self.stdout.write(f"{user.email} had no API token; nothing changed.")
