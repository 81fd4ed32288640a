"""How the demo's people hand journeys over, without a database."""

import random

from onethread.demo import company
from onethread.demo.afterwards import restated
from onethread.demo.handing import answer_delay
from onethread.demo.handoff_setup import MANNERS
from onethread.demo.handoff_words import ASKS, NOTES, OPEN_QUESTIONS
from onethread.demo.stages import speed_to_lead
from onethread.demo.workdays import HOUR
from onethread.needs.similarity import REPEAT_THRESHOLD, similarity


def test_a_need_told_again_is_recognised_as_the_same_need():
    rng = random.Random(1)
    for statements in company.NEEDS.values():
        for statement in statements:
            known = statement.format(sites=4)
            again = restated(known, rng)
            assert again != known
            assert similarity(again, known) >= REPEAT_THRESHOLD


def test_handoffs_into_customer_success_are_thinner_slower_and_rated_lower():
    won, sale = MANNERS[("closing", "onboarding")], MANNERS[("qualification", "closing")]
    assert won.answers < sale.answers
    assert won.slowness > sale.slowness
    assert won.returns[0] > sale.returns[0]
    assert won.returns[1] > sale.returns[1]

    def mean(weights: tuple[int, ...]) -> float:
        return sum(rating * weight for rating, weight in enumerate(weights, 1)) / sum(weights)

    for manner in MANNERS.values():
        assert mean(manner.ratings[1]) < mean(manner.ratings[0])
    assert mean(won.ratings[0]) < min(mean(m.ratings[0]) for m in MANNERS.values() if m != won)


def test_receivers_answer_within_hours_and_sometimes_after_the_sla():
    rng = random.Random(3)
    delays = [answer_delay(rng, 1.0) for _ in range(2000)]
    assert min(delays) >= 5 / 60 * HOUR
    assert max(delays) <= 2.5
    assert sum(delay < 6 * HOUR for delay in delays) > 0.6 * len(delays)
    assert sum(delay > 1.0 for delay in delays) > 0.05 * len(delays)  # a working day or more


def test_speed_to_lead_is_minutes_for_cold_emails_and_mostly_hours_for_inbound_leads():
    rng = random.Random(5)
    assert all(speed_to_lead("outbound", rng) < HOUR / 2 for _ in range(200))
    inbound = [speed_to_lead("website", rng) for _ in range(2000)]
    assert sum(speed < HOUR for speed in inbound) > 0.25 * len(inbound)
    assert sum(speed < 1.0 for speed in inbound) > 0.6 * len(inbound)  # within a working day
    assert sum(speed > 3.0 for speed in inbound) > 0.05 * len(inbound)


def test_every_contracted_step_has_words_for_its_notes_and_questions():
    for step in MANNERS:
        assert step in ASKS
        assert step in OPEN_QUESTIONS
        assert step in NOTES or step == ("closing", "onboarding")
