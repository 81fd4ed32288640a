"""Seed the demo company into an empty database.

People, teams and the catalogue are configuration and are created directly;
every journey record is written through the service functions, at the time it
happened, so the event log tells each journey in order."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onethread.catalogue.models import Category, Product
from onethread.customers.models import Account
from onethread.demo import company, handoff_setup, training
from onethread.demo.plans import HISTORY, plan_journeys
from onethread.demo.story import Story, World
from onethread.demo.workdays import MINUTE, WorkClock
from onethread.journeys.models import Journey, JourneyEvent, Stage
from onethread.journeys.stages import DEFAULT_STAGES
from onethread.notifications.models import Notification
from onethread.notifications.services import mark_read
from onethread.team.models import Member, Team

Progress = Callable[[int, int], None]
READ_UP_TO = dt.timedelta(days=3)  # notifications older than this are read


@dataclass(frozen=True)
class SeedSummary:
    seeded: bool
    message: str
    seconds: float
    members: int
    accounts: int
    journeys: int
    events: int


def seed_demo_company(
    *,
    now: dt.datetime,
    accounts: int = 520,
    seed: int = 2026,
    progress: Progress | None = None,
) -> SeedSummary:
    """Seed the demo company if the database is empty; say what happened.

    Deterministic for a given `seed`; every date is placed relative to `now`.
    """
    if timezone.is_naive(now):
        raise ValueError("The demo needs an aware `now`, e.g. timezone.now().")
    started = time.perf_counter()
    clock = WorkClock.ending_at(now, HISTORY + 20)
    plans = plan_journeys(count=accounts, seed=seed, horizon=clock.moment(now) - 30 * MINUTE)
    with transaction.atomic():
        occupied = why_not_empty()
        if not occupied:
            world = _build_world(clock, now)
            for done, plan in enumerate(plans, start=1):
                Story(plan, world, random.Random(f"{seed}:{plan.number}:story")).tell()
                if progress is not None:
                    progress(done, len(plans))
            world.desk.roster.at(clock.moment(now))  # who is away today
            training.add_training(world.members, now)
            _catch_up_on_notifications(world, now)
    if occupied:
        return _summary(False, f"Nothing seeded: {occupied}.", started)
    seeded = f"Seeded the demo company: {company.COMPANY_NAME}, {company.COMPANY_PITCH}."
    return _summary(True, seeded, started)


def why_not_empty() -> str:
    """Why the database does not count as empty for the demo ('' when it does)."""
    if Team.objects.filter(name__in=company.TEAM_NAMES).exists():
        return "the demo company is already there"
    if Journey.objects.exists():
        return "the database already holds journeys"
    usernames = [username for username, *_ in company.DEMO_LOGINS]
    if get_user_model().objects.filter(username__in=usernames).exists():
        return "a user with a demo username already exists"
    return ""


def _summary(seeded: bool, message: str, started: float) -> SeedSummary:
    return SeedSummary(
        seeded=seeded,
        message=message,
        seconds=time.perf_counter() - started,
        members=Member.objects.count(),
        accounts=Account.objects.count(),
        journeys=Journey.objects.count(),
        events=JourneyEvent.objects.count(),
    )


def _catch_up_on_notifications(world: World, now: dt.datetime) -> None:
    """Everyone has read what they were told before the last few days."""
    read_by = now - READ_UP_TO
    for member in world.members.values():
        older = Notification.objects.filter(recipient=member.user, created_at__lt=read_by)
        mark_read(member.user, older.values_list("pk", flat=True), at=read_by)


def _create_cast() -> dict[str, Member]:
    teams = {
        name: Team.objects.create(name=name, routing=company.TEAM_ROUTING[name])
        for name in company.TEAM_NAMES
    }
    password = make_password(company.DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    members = {}
    for username, full_name, team, role in company.DEMO_LOGINS:
        first_name, last_name = full_name.split(" ", 1)
        superuser = username in company.SUPERUSERS
        user = get_user_model().objects.create(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@{company.EMAIL_DOMAIN}",
            password=password,
            is_staff=superuser,
            is_superuser=superuser,
        )
        members[username] = Member.objects.create(user=user, team=teams[team], role=role)
    return members


def _build_world(clock: WorkClock, now: dt.datetime) -> World:
    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in company.CATEGORIES
    }
    products = {}
    for offer in company.PRODUCTS:
        product, _ = Product.objects.get_or_create(
            name=offer.name,
            defaults={
                "tier": offer.tier,
                "list_price": offer.price,
                "description": offer.description,
            },
        )
        product.categories.add(*(categories[slug] for slug in offer.categories))
        products[offer.name] = product
    members = _create_cast()
    teams = {member.team.name: member.team for member in members.values()}
    return World(
        members=members,
        categories=categories,
        products=products,
        covers={offer.name: frozenset(offer.categories) for offer in company.PRODUCTS},
        slugs={category.pk: slug for slug, category in categories.items()},
        stages=_stages(),
        clock=clock,
        desk=handoff_setup.configure(teams, members, clock, now),
    )


def _stages() -> dict[str, Stage]:
    stages = {stage.key: stage for stage in Stage.objects.all()}
    missing = [key for key, *_ in DEFAULT_STAGES if key not in stages]
    if missing:
        raise ValidationError(f"The demo needs the default stages; missing: {', '.join(missing)}.")
    return stages
