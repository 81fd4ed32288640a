"""The demo company's training: stage playbooks tied to the handoff contracts,
a replay library curated from its own journeys, replays assigned and
reflected on, and cross-training shadowings (one running, one closed).

Runs after the stories, through the training services; the replays are chosen
by what their logs show (most context lost), not named in advance."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from onethread.handoffs.models import ContractItem
from onethread.journeys.models import Journey, Stage
from onethread.team.models import Member
from onethread.training.models import SavedReplay
from onethread.training.queries import replay_of
from onethread.training.replays import Replay
from onethread.training.services import (
    add_playbook_item,
    add_shadowing_note,
    assign_replay,
    assign_shadowing,
    close_shadowing,
    reflect_on_replay,
    save_replay,
    set_goal,
    update_playbook,
)

DAY = dt.timedelta(days=1)
CANDIDATES = 40

# stage: what good looks like, what the next stage needs, [(step, guidance, contract label)]
PLAYBOOKS: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "lead": (
        "Every new lead is touched within the hour, and its first pain is written down "
        "in the customer's words.",
        "Qualification needs the pain, who raised it and where the lead came from.",
        [
            ("First touch within the hour", "Speed to lead decides most of what follows.", ""),
            ("Write down the first pain, in their words", "Capture it as a need.", ""),
        ],
    ),
    "qualification": (
        "You know who decides, when, and with what budget; the customer has agreed a "
        "next step with a date.",
        "Closing needs the budget, the timing, the decision maker and the next step.",
        [
            ("Confirm budget and timing", "Ask who pays and by when.", "Timing and budget known"),
            (
                "Agree the next step with the customer",
                "A meeting in both calendars.",
                "Next step agreed with the customer",
            ),
            ("Name the decision maker", "Add them as a contact with their role.", ""),
        ],
    ),
    "closing": (
        "Every need is mapped to what we sell or marked unmet; every promise has an owner "
        "who knows it.",
        "Onboarding needs the success criteria the customer agreed to, and every promise.",
        [
            (
                "Agree success criteria with the customer",
                "Write them as the customer would check them.",
                "Success criteria agreed with the customer",
            ),
            ("Give every promise an owner and a date", "Nobody keeps an unowned promise.", ""),
        ],
    ),
    "onboarding": (
        "First value within 30 days; no question the customer already answered is asked again.",
        "Adoption needs the success criteria, met or re-dated, and the promises handed over.",
        [
            ("Kick-off within five working days", "Read the handoff brief first.", ""),
            (
                "Check the success criteria with the customer",
                "Met, or re-dated with them.",
                "Success criteria met, or re-dated with the customer",
            ),
        ],
    ),
    "adoption": (
        "The customer sees the value they bought, every quarter.",
        "Expansion needs the unmet needs and who asked for them.",
        [
            ("Quarterly value review", "Show the numbers they care about.", ""),
            ("Log unmet needs as they come up", "They are the next sale.", ""),
        ],
    ),
    "expansion": (
        "Expansion starts from a need the customer told us, not from our price list.",
        "Renewal needs what was promised in the expansion, with owners.",
        [("Review unmet needs with the customer", "Start from the needs ledger.", "")],
    ),
}


@dataclass(frozen=True)
class Pick:
    journey: Journey
    replay: Replay


def add_training(members: dict[str, Member], now: dt.datetime) -> None:
    """`members` by demo username; every date relative to `now`."""
    nina, tom = members["nina"], members["tom"]
    _playbooks(nina, now)
    picks = _instructive_journeys(now)
    _library(picks, members, now)
    _shadowings(members, nina, tom, now)
    _goals(members, now)


def _playbooks(by: Member, now: dt.datetime) -> None:
    for key, (good, next_needs, steps) in PLAYBOOKS.items():
        stage = Stage.objects.get(key=key)
        update_playbook(stage, good_looks_like=good, next_stage_needs=next_needs, by=by, at=now)
        for label, guidance, contract_label in steps:
            item = None
            if contract_label:
                item = ContractItem.objects.filter(
                    transition__from_stage=stage, label=contract_label
                ).first()
            add_playbook_item(stage, label, guidance=guidance, contract_item=item, by=by)


def _instructive_journeys(now: dt.datetime) -> dict[str, list[Pick]]:
    """Per outcome, the journeys whose replays show the most context lost."""
    picks: dict[str, list[Pick]] = {}
    for key in ("churned", "lost", "expansion"):
        journeys = Journey.objects.filter(stage__key=key).select_related("account", "stage")
        ranked = [
            Pick(journey, replay_of(journey, now=now))
            for journey in journeys.order_by("-stage_entered_at", "-id")[:CANDIDATES]
        ]
        ranked.sort(key=lambda pick: (-len(pick.replay.moments), -pick.journey.pk))
        picks[key] = ranked
    return picks


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _lesson(replay: Replay, ending: str) -> str:
    if not replay.moments:
        return (
            f"Nothing was lost between stages: {len(replay.chapters)} stages, "
            f"{len(replay.needs)} needs carried through, {len(replay.promises)} promises. "
            "Compare its handoff briefs with yours."
        )
    labels = sorted({moment.label.lower() for moment in replay.moments})
    first = replay.moments[0]
    return (
        f"Context was lost {_times(len(replay.moments))} before it {ending} "
        f"({', '.join(labels)}). It started here: {first.text[:300]} "
        "What would the next stage have needed from you at that moment?"
    )


def _keep(pick: Pick, title: str, ending: str, by: Member, at: dt.datetime) -> SavedReplay:
    tags = [
        pick.journey.stage.key,
        *sorted({m.kind.replace("_", "-") for m in pick.replay.moments}),
    ]
    return save_replay(
        pick.journey,
        title=f"{pick.journey.account.name}: {title}",
        lesson=_lesson(pick.replay, ending),
        tags=tags[:10],
        by=by,
        at=at,
    )


def _library(picks: dict[str, list[Pick]], members: dict[str, Member], now: dt.datetime) -> None:
    nina, tom = members["nina"], members["tom"]
    sdrs = [members["sam"], members["sofia"]]
    churned = picks["churned"][:2]
    for n, pick in enumerate(churned):
        saved = _keep(pick, "churned after the sale", "churned", tom, now - (20 - n) * DAY)
        assign_replay(saved, members=sdrs, by=nina, at=now - (19 - n) * DAY)
        if n == 0:
            assign_replay(saved, teams=[tom.team], by=tom, at=now - 19 * DAY)
            (sam,) = [a for a in saved.assignments.all() if a.member_id == sdrs[0].pk]
            reflect_on_replay(
                sam,
                "The customer told us about it in qualification and we never wrote it down "
                "where onboarding would look. I now put it in the handoff brief.",
                at=now - 17 * DAY,
            )
    for pick in picks["lost"][:1]:
        saved = _keep(pick, "lost before the signature", "was lost", nina, now - 12 * DAY)
        assign_replay(saved, members=[members["alex"], members["maya"]], by=nina, at=now - 12 * DAY)
    good = sorted(picks["expansion"], key=lambda pick: len(pick.replay.moments))[:1]
    for pick in good:
        title = "a thread that held" if not pick.replay.moments else "grew, with the fewest gaps"
        saved = _keep(pick, title, "grew", tom, now - 8 * DAY)
        assign_replay(saved, members=sdrs, by=nina, at=now - 8 * DAY)


def _shadowings(members: dict[str, Member], nina: Member, tom: Member, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    onboarding = list(
        Journey.objects.filter(stage__key="onboarding", closed_at__isnull=True).order_by("id")[:3]
    )
    if onboarding:
        running = assign_shadowing(
            members["sam"],
            Stage.objects.get(key="onboarding"),
            starts_on=today - 3 * DAY,
            ends_on=today + 11 * DAY,
            journeys=onboarding,
            by=tom,
            at=now - 4 * DAY,
        )
        add_shadowing_note(
            running,
            "The kick-off opens with the handoff brief; whatever I left out, Omar asks again.",
            journey=onboarding[0],
            at=now - 2 * DAY,
        )
    adoption = list(Journey.objects.filter(stage__key="adoption").order_by("id")[:2])
    if adoption:
        past = assign_shadowing(
            members["maya"],
            Stage.objects.get(key="adoption"),
            starts_on=today - 60 * DAY,
            ends_on=today - 46 * DAY,
            journeys=adoption,
            by=nina,
            at=now - 61 * DAY,
        )
        close_shadowing(
            past,
            "The promises I make while closing are the first thing adoption is judged on. "
            "I now give each one an owner before the deal is signed.",
            at=now - 45 * DAY,
        )


# (manager's name, member's name or "" for the team, measure, target)
GOALS = [
    ("nina", "", "handoff_rating", "4"),
    ("nina", "", "deals_won", "12"),
    ("nina", "sam", "promises_kept", "90"),
    ("nina", "alex", "first_year_retention", "85"),
    ("tom", "", "retention", "90"),
    ("tom", "", "activation", "80"),
    ("tom", "chris", "tickets_resolved", "15"),
]


def _goals(members: dict[str, Member], now: dt.datetime) -> None:
    """This quarter's goals: whole-journey outcomes beside stage counts."""
    today = timezone.localdate(now)
    first_month = 3 * ((today.month - 1) // 3) + 1
    starts_on = today.replace(month=first_month, day=1)
    ends_on = (starts_on + 100 * DAY).replace(day=1) - DAY
    for manager, member, measure, target in GOALS:
        by = members[manager]
        set_goal(
            team=by.team,
            member=members[member] if member else None,
            measure=measure,
            target=Decimal(target),
            starts_on=starts_on,
            ends_on=ends_on,
            by=by,
            at=now,
        )
