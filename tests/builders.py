"""Small explicit builders for tests: each makes one thing through the same
service functions the application uses, with defaults for what a test does
not care about."""

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from onethread.customers.models import Account
from onethread.journeys import services as journey_services
from onethread.journeys.models import Journey, Stage
from onethread.journeys.stages import install_default_stages
from onethread.team.models import Member, Role, Team

if TYPE_CHECKING:
    from onethread.handoffs.models import ReturnReason, Transition

PASSWORD = "correct-horse-battery-staple"
_numbers = itertools.count(1)


def stage(key: str) -> Stage:
    install_default_stages(Stage)
    return Stage.objects.get(key=key)


def make_team(name: str | None = None) -> Team:
    return Team.objects.create(name=name or f"Team {next(_numbers)}")


def make_user(username: str | None = None, **fields: Any) -> User:
    username = username or f"user{next(_numbers)}"
    fields.setdefault("email", f"{username}@example.com")
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def make_member(
    role: str = Role.SDR, *, team: Team | None = None, username: str | None = None, **fields: Any
) -> Member:
    user = make_user(username, **fields)
    return Member.objects.create(user=user, team=team or make_team(), role=role)


def make_journey(
    *,
    owner: Member | None = None,
    team: Team | None = None,
    stage_key: str = "lead",
    name: str | None = None,
    source: str = "referral",
    at: dt.datetime | None = None,
) -> Journey:
    """A journey opened in the first stage, then moved to stage_key by its owner."""
    install_default_stages(Stage)
    team = team or (owner.team if owner else make_team())
    by = owner.user if owner else None
    journey = journey_services.open_journey_for_new_account(
        name or f"Account {next(_numbers)}", team=team, by=by, owner=owner, source=source, at=at
    )
    if stage_key != journey.stage.key:
        target = Stage.objects.get(key=stage_key)
        reason = "test outcome" if target.is_outcome else ""
        journey = journey_services.move_stage(journey, target, by=by, reason=reason, at=at)
    return journey


def make_account(name: str = "Acme") -> Account:
    return Account.objects.create(name=name)


def transition(from_key: str, to_key: str) -> "Transition":
    """The installed transition between two stages (with its default contract)."""
    from onethread.handoffs.defaults import install_defaults
    from onethread.handoffs.models import ContractItem, ReturnReason, Transition

    install_default_stages(Stage)
    install_defaults(Stage, Transition, ContractItem, ReturnReason)
    return Transition.objects.get(from_stage__key=from_key, to_stage__key=to_key)


def return_reason(key: str = "missing_information") -> "ReturnReason":
    from onethread.handoffs.models import ReturnReason

    transition("lead", "qualification")
    return ReturnReason.objects.get(key=key)
