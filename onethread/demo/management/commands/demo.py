"""`onethread demo`: migrate, seed the demo company if the database is empty,
say how to sign in, then serve."""

import io
from typing import IO, Any, cast

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser, OutputWrapper
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from onethread.demo import company
from onethread.demo.seed import SeedSummary, seed_demo_company, why_not_empty
from onethread.team.models import Member, Role


class Command(BaseCommand):
    help = (
        "Run the demo: migrate the database, seed the demo company if the database is "
        "empty, print the logins, and serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Seed and exit.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, no_serve: bool, host: str, port: int, **options: Any) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        summary = self.seed()
        self.stdout.write(
            summary.message + (f" ({summary.seconds:.1f} s)" if summary.seeded else "")
        )
        self.stdout.write(
            f"The database holds {summary.members} members, {summary.accounts:,} accounts, "
            f"{summary.journeys:,} journeys and {summary.events:,} journey events."
        )
        self.print_logins(f"http://{host}:{port}/")
        if no_serve:
            self.stdout.write("Serve it with: onethread serve")
        else:
            call_command("serve", host=host, port=port)

    def seed(self) -> SeedSummary:
        now = timezone.now()
        if why_not_empty():
            return seed_demo_company(now=now)  # says why it seeds nothing
        self.stdout.write(f"Seeding the demo company {company.COMPANY_NAME}…")
        if not self.stdout.isatty():
            return seed_demo_company(now=now, progress=self.report_progress)
        columns = (
            TextColumn("Accounts"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        # rich needs only write, flush and isatty from its file.
        console = Console(file=cast(IO[str], _Passthrough(self.stdout)))
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("seed", total=None)
            return seed_demo_company(
                now=now,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )

    def report_progress(self, done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            self.stdout.write(f"  {done}/{total} accounts")

    def print_logins(self, url: str) -> None:
        usernames = [username for username, *_ in company.DEMO_LOGINS]
        members = {
            member.user.username: member
            for member in Member.objects.select_related("user", "team").filter(
                user__username__in=usernames
            )
        }
        if not members:
            self.stdout.write(f"\nOpen {url} and sign in with your own account.")
            return
        self.stdout.write(
            f"\nOpen {url} and sign in as any of these people "
            f"(password: {company.DEMO_PASSWORD}):\n"
        )
        self.stdout.write(f"  {'username':<10}{'name':<18}{'role':<24}team")
        for username in usernames:
            if username in members:
                member = members[username]
                role = Role(member.role).label
                self.stdout.write(f"  {username:<10}{member.name:<18}{role:<24}{member.team.name}")
        for member in members.values():
            if not member.is_available:
                username = member.user.username
                why = f": {company.AWAY[2]}" if username == company.AWAY[0] else ""
                self.stdout.write(
                    f"\n{member.name} ({username}) is marked unavailable{why}. "
                    "Routing gives new work to the others."
                )
        admins = [name for name in company.SUPERUSERS if name in members]
        if admins:
            self.stdout.write(f"\n{', '.join(admins)} can also use the Django admin: {url}admin/")
        self.stdout.write("")


class _Passthrough(io.TextIOBase):
    """Lets rich draw on a command's stdout, which would otherwise end every write
    with a newline."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()
