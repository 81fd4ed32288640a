"""`onethread merge accounts KEEP_ID REMOVE_ID` and `onethread merge contacts
KEEP_ID REMOVE_ID`: merge a duplicate into the record that stays."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onethread.customers.models import Account, Contact
from onethread.imports.merge import Merged, merge_accounts, merge_contacts
from onethread.journeys.editing import EditConflict


class Command(BaseCommand):
    help = "Merge two duplicate accounts, or two duplicate contacts of one account."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, what in (("accounts", "account"), ("contacts", "contact")):
            sub = kinds.add_parser(kind, help=f"Merge the second {what} into the first.")
            sub.add_argument("keep", type=int, metavar="KEEP_ID", help=f"The {what} that stays.")
            sub.add_argument("remove", type=int, metavar="REMOVE_ID", help=f"The duplicate {what}.")
            sub.add_argument("--by", metavar="USERNAME", help="Who the merge is recorded as.")

    def handle(
        self, *args: Any, kind: str, keep: int, remove: int, by: str | None, **options: Any
    ) -> None:
        user = self._user(by)
        try:
            if kind == "accounts":
                merged = merge_accounts(
                    self._get(Account, keep), self._get(Account, remove), by=user
                )
            else:
                merged = merge_contacts(
                    self._get(Contact, keep), self._get(Contact, remove), by=user
                )
        except (ValidationError, EditConflict) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from error
        self.stdout.write(self._summary(kind, remove, merged))

    def _user(self, username: str | None) -> User | None:
        if username is None:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error

    def _get[M: (Account, Contact)](self, model: type[M], record_id: int) -> M:
        try:
            return model.objects.get(pk=record_id)
        except model.DoesNotExist as error:
            raise CommandError(f"No {model._meta.verbose_name} {record_id}.") from error

    def _summary(self, kind: str, remove: int, merged: Merged) -> str:
        moved = ", ".join(
            f"{len(ids)} {label.split('.')[-1].lower()}(s)" for label, ids in merged.moved.items()
        )
        what = kind[:-1]
        told = " The merge is on its timeline." if merged.event else ""
        return (
            f"Merged {what} {remove} into {what} {merged.kept.pk} ({merged.kept}): "
            f"moved {moved or 'nothing'}.{told}"
        )
