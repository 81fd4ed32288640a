"""What follows a handoff on the timeline: the new owner asks the previous one
something (with an @mention) and may get an answer, and now and then the
customer is asked again for a need the ledger already knew."""

import random
from typing import TYPE_CHECKING

from onethread.demo import handoff_words as words
from onethread.demo.workdays import MINUTE, Action
from onethread.journeys.services import add_note
from onethread.needs.services import capture_need
from onethread.needs.similarity import REPEAT_THRESHOLD, similarity
from onethread.team.models import Member

if TYPE_CHECKING:
    from onethread.demo.handing import Exchange


def follow_up(exchange: "Exchange", sender: Member, moment: float, leave: float) -> None:
    """Within two working days of the handoff, before the journey moves on: the
    new owner may ask the sender something (who often answers), and the
    customer may be asked again for a need already known. Thin briefs make both
    likelier."""
    rng, story = exchange.rng, exchange.story
    latest = min(moment + 2.0, leave - 10 * MINUTE)
    if latest <= moment + 0.05:
        return
    boost = 2 if exchange.thin else 1
    if rng.random() < exchange.manner.asks * boost:
        asked = rng.uniform(moment + 0.05, latest)
        story.schedule(asked, ask(exchange, sender))
        if rng.random() < 0.6:
            replied = min(asked + rng.uniform(0.02, 0.8), leave - 5 * MINUTE)
            story.schedule(replied, reply(exchange, sender))
    if rng.random() < exchange.manner.repeats * boost:
        story.schedule(rng.uniform(moment + 0.05, latest), repeat(exchange, sender))


def mention_words(exchange: "Exchange", sender: Member, **extra: str) -> dict[str, object]:
    """The story's words plus the two usernames a note can @mention."""
    receiver = exchange.story.owner.username
    return exchange.story.words(sender=sender.user.username, receiver=receiver, **extra)


def ask(exchange: "Exchange", sender: Member) -> Action:
    def action(moment: float) -> None:
        story = exchange.story
        text = exchange.rng.choice(words.ASKS[exchange.step])
        text = text.format(**mention_words(exchange, sender))
        add_note(story.journey, text, by=story.owner, question=True, at=story.when(moment))

    return action


def reply(exchange: "Exchange", sender: Member) -> Action:
    def action(moment: float) -> None:
        story = exchange.story
        text = exchange.rng.choice(words.REPLIES).format(**mention_words(exchange, sender))
        add_note(story.journey, text, by=sender.user, at=story.when(moment))

    return action


def repeat(exchange: "Exchange", sender: Member) -> Action:
    """The customer is asked again for a need the ledger knew from an earlier
    stage; the new owner says so to the sender, now and then."""

    def action(moment: float) -> None:
        rng, story = exchange.rng, exchange.story
        stage_id = story.journey.stage_id
        earlier = [need for need in story.needs if need.captured_at_stage_id != stage_id]
        if not earlier:
            return
        known = rng.choice(earlier)
        need = capture_need(
            story.journey,
            restated(known.statement, rng),
            by=story.owner,
            category=story.world.categories.get(story.world.slug(known)),
            priority=known.priority,
            repeat="same",
            at=story.when(moment),
        )
        story.needs.append(need)
        if rng.random() < 0.5:
            short = known.statement[0].lower() + known.statement[1:]
            said = mention_words(exchange, sender, statement=known.statement, statement_short=short)
            text = rng.choice(words.REPEATED).format(**said)
            add_note(story.journey, text, by=story.owner, at=story.when(moment + MINUTE))

    return action


def restated(statement: str, rng: random.Random) -> str:
    """The need in the words of its second telling, still recognisably the same."""
    lowered = statement[0].lower() + statement[1:]
    options = [
        template.format(statement=statement if template.startswith("{") else lowered)
        for template in words.RESTATED
    ]
    rng.shuffle(options)
    close = [
        option for option in options if similarity(option, statement) >= REPEAT_THRESHOLD + 0.05
    ]
    return close[0] if close else f"{statement} (asked again)"
