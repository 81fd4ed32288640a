"""Risk detectors, one function per rule, on open journeys. Each is routed to
the journey's owner (and their team's managers are told)."""

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, Max, OuterRef, Q

from onethread.commitments.models import Commitment
from onethread.customers.models import BuyingRole, Contact
from onethread.handoffs.models import Handoff
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.needs.models import Need
from onethread.signals.detectors.base import Candidate, Scope, days, events_about, open_journeys
from onethread.signals.detectors.base import ratio as score_of
from onethread.signals.models import Kind

# Broken promises count as a risk for this long after they broke.
BROKEN_WINDOW = dt.timedelta(days=30)
# How long each stage normally goes without an interaction (days).
SILENCE_NORMS = {
    "lead": 7,
    "qualification": 14,
    "closing": 14,
    "onboarding": 14,
    "adoption": 45,
    "expansion": 30,
}
SILENCE_DEFAULT = 30
# Repeated discovery: this many repeats within the window.
REPEATS = 2
REPEAT_WINDOW = dt.timedelta(days=90)
# Time to first value expected after the sale.
FIRST_VALUE_DAYS = 30


def commitments(scope: Scope, now: dt.datetime) -> list[Candidate]:
    """A pending promise past its due date, or one broken in the last BROKEN_WINDOW."""
    today = now.date()
    rows = Commitment.objects.filter(
        Q(status__in=Commitment.PENDING, due_on__lt=today)
        | Q(status=Commitment.Status.BROKEN, settled_at__gte=now - BROKEN_WINDOW),
        journey__in=open_journeys(scope),
    ).values_list("pk", "journey_id", "journey__account_id", "promise", "status", "due_on")
    found = []
    for pk, journey_id, account_id, promise, status, due_on in rows:
        broken = status == Commitment.Status.BROKEN
        late = (today - due_on).days if due_on else 0
        found.append(
            Candidate(
                kind=Kind.COMMITMENT_OVERDUE,
                detector="commitment_overdue",
                dedupe_key=f"commitment_overdue:commitment:{pk}",
                journey_id=journey_id,
                account_id=account_id,
                score=0.9 if broken else score_of(late, 14),
                explanation=(
                    f"The promise “{promise[:160]}” was broken."
                    if broken
                    else f"The promise “{promise[:160]}” was due {late} day"
                    f"{'s' if late != 1 else ''} ago and is not kept."
                ),
                records=[("commitment", pk)],
            )
        )
    return found


def handoffs(scope: Scope, now: dt.datetime) -> list[Candidate]:
    """A handoff still waiting after its SLA."""
    rows = Handoff.objects.filter(
        status=Handoff.Status.PENDING, due_at__lt=now, journey__in=open_journeys(scope)
    ).values_list(
        "pk", "journey_id", "journey__account_id", "to_member__user__username", "due_at",
        "to_stage__name",
    )  # fmt: skip
    found = []
    for pk, journey_id, account_id, receiver, due_at, stage in rows:
        hours = int((now - due_at).total_seconds() // 3600)
        found.append(
            Candidate(
                kind=Kind.HANDOFF_OVERDUE,
                detector="handoff_overdue",
                dedupe_key=f"handoff_overdue:handoff:{pk}",
                journey_id=journey_id,
                account_id=account_id,
                score=score_of(hours, 48),
                explanation=(
                    f"The handoff to {stage} waits for {receiver}: {hours} hours past its SLA."
                ),
                records=[("handoff", pk)],
            )
        )
    return found


def silence(scope: Scope, now: dt.datetime) -> list[Candidate]:
    """No interaction (or none since the journey opened) for longer than the
    stage's norm."""
    rows = (
        open_journeys(scope)
        .annotate(last_touch=Max("interactions__occurred_at"))
        .values_list("pk", "account_id", "stage__key", "stage__name", "opened_at", "last_touch")
    )
    found = []
    for pk, account_id, stage_key, stage_name, opened_at, last_touch in rows.iterator(5000):
        since = max(last_touch or opened_at, opened_at)
        norm = SILENCE_NORMS.get(stage_key, SILENCE_DEFAULT)
        quiet = days(now - since)
        if quiet <= norm:
            continue
        found.append(
            Candidate(
                kind=Kind.SILENCE,
                detector="silence",
                dedupe_key=f"silence:journey:{pk}:since:{since:%Y-%m-%d}",
                journey_id=pk,
                account_id=account_id,
                score=score_of(quiet, 2 * norm),
                explanation=(
                    f"No interaction for {quiet} days"
                    f"{'' if last_touch else ' (none logged yet)'}; "
                    f"in {stage_name} the norm is {norm} days."
                ),
            )
        )
    return found


def repeated_discovery(scope: Scope, now: dt.datetime) -> list[Candidate]:
    """The customer was asked again, REPEATS times within REPEAT_WINDOW, for
    what an earlier stage already knew."""
    start = now - REPEAT_WINDOW
    when = Q(occurred_at__gte=start, occurred_at__lte=now) | Q(
        occurred_at__isnull=True, recorded_at__gte=start, recorded_at__lte=now
    )
    rows = JourneyEvent.objects.filter(
        when, journey__in=open_journeys(scope), kind=EventKind.REPEATED_DISCOVERY
    ).values_list("id", "journey_id", "journey__account_id")
    by_journey: dict[tuple[int, int], list[int]] = defaultdict(list)
    for event_id, journey_id, account_id in rows:
        by_journey[(journey_id, account_id)].append(event_id)
    found = []
    for (journey_id, account_id), ids in by_journey.items():
        if len(ids) < REPEATS:
            continue
        ids.sort()
        found.append(
            Candidate(
                kind=Kind.REPEATED_DISCOVERY,
                detector="repeated_discovery",
                dedupe_key=f"repeated_discovery:journey:{journey_id}:from:{ids[0]}",
                journey_id=journey_id,
                account_id=account_id,
                score=score_of(len(ids), 2 * REPEATS),
                explanation=(
                    f"The customer told us again, {len(ids)} times in "
                    f"{REPEAT_WINDOW.days} days, what an earlier stage already knew."
                ),
                event_ids=ids,
            )
        )
    return found


def champion_left(scope: Scope, now: dt.datetime) -> list[Candidate]:
    """A contact who was the champion is no longer at the account."""
    rows = list(
        Contact.objects.filter(
            account__journeys__in=open_journeys(scope),
            buying_role=BuyingRole.CHAMPION,
            is_active=False,
        ).values_list("pk", "account_id", "name", "account__journeys__id")
    )
    journeys = {account_id: journey_id for _, account_id, _, journey_id in rows}
    changed = events_about(
        EventKind.CONTACT_CHANGED, "contact_id", [(row[0], row[3]) for row in rows]
    )
    return [
        Candidate(
            kind=Kind.CHAMPION_LEFT,
            detector="champion_left",
            dedupe_key=f"champion_left:contact:{pk}",
            journey_id=journeys[account_id],
            account_id=account_id,
            score=0.8,
            explanation=f"{name}, the champion, has left the account.",
            event_ids=changed.get(pk, []),
            records=[("contact", pk)],
        )
        for pk, account_id, name, _ in rows
    ]


def no_first_value(scope: Scope, now: dt.datetime) -> list[Candidate]:
    """Won more than FIRST_VALUE_DAYS ago, and no value event or delivered
    need since."""
    value = JourneyEvent.objects.filter(journey=OuterRef("pk"), kind=EventKind.VALUE_RECORDED)
    delivered = Need.objects.filter(journey=OuterRef("pk"), status=Need.Status.DELIVERED)
    rows = (
        open_journeys(scope)
        .filter(won_at__lte=now - dt.timedelta(days=FIRST_VALUE_DAYS))
        .filter(~Exists(value), ~Exists(delivered))
        .values_list("pk", "account_id", "won_at")
    )
    found = []
    for pk, account_id, won_at in rows.iterator(5000):
        waited = days(now - won_at) if won_at else 0
        found.append(
            Candidate(
                kind=Kind.NO_FIRST_VALUE,
                detector="no_first_value",
                dedupe_key=f"no_first_value:journey:{pk}",
                journey_id=pk,
                account_id=account_id,
                score=score_of(waited, 3 * FIRST_VALUE_DAYS),
                explanation=(
                    f"Won {waited} days ago and no value delivered yet; first value is "
                    f"expected within {FIRST_VALUE_DAYS} days."
                ),
            )
        )
    return found
