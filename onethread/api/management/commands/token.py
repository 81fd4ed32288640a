"""`onethread token USERNAME [--name NAME]`: issue an API key and print it once."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onethread.api.models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key (shown this once only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        name = name.strip()
        if not name or len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"Give the token a name of 1 to {NAME_MAX_LENGTH} characters.")
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive.")
        token, key = ApiToken.issue(user, name)
        self.stderr.write(
            f"Token {token.name!r} issued for {username}. Keep the key now: it is not shown again."
        )
        self.stdout.write(key)
