import pytest

from onethread.insights.handoff_health import handoff_health
from onethread.insights.tests.data import NOW, PERIOD, day, frames


def handoff(**fields):
    row = {
        "journey_id": 1,
        "from_member_id": 1,
        "to_member_id": 2,
        "from_stage": "qualification",
        "to_stage": "closing",
        "sent_at": day(0),
        "due_at": day(1),
        "status": "pending",
        "completeness": 1.0,
        "overridden_items": 0,
        "missing": [],
        "return_reason": "",
    }
    return row | fields


HANDOFFS = [
    handoff(status="accepted", responded_at=day(0.5), rating=4, missing=["Budget"]),
    handoff(
        status="accepted",
        responded_at=day(2),
        rating=2,
        completeness=0.5,
        overridden_items=1,
        missing=["budget ", "Timeline"],
    ),
    handoff(
        status="returned",
        responded_at=day(0.25),
        return_reason="Missing information",
        completeness=0.5,
    ),
    handoff(status="pending"),  # due day 1, still waiting at NOW: overdue
    handoff(from_stage="lead", to_stage="qualification", status="accepted", responded_at=day(0.1)),
]


def test_handoff_health_per_transition_reuses_the_handoffs_definitions():
    result = handoff_health(frames(handoffs=HANDOFFS), PERIOD, NOW)

    closing = next(row for row in result["by_transition"] if row["to_stage"] == "closing")
    assert (closing["sent"], closing["accepted"], closing["returned"], closing["waiting"]) == (
        4,
        2,
        1,
        1,
    )
    assert closing["acceptance_rate"] == pytest.approx(2 / 3)
    assert closing["return_rate"] == pytest.approx(1 / 3)
    assert closing["overdue"] == 2  # answered after its deadline, and still waiting past it
    assert closing["median_days_to_accept"] == pytest.approx(1.25)
    assert closing["p90_days_to_accept"] == pytest.approx(0.5 + 0.9 * 1.5)
    assert closing["average_rating"] == pytest.approx(3)
    assert closing["average_completeness"] == pytest.approx(0.75)
    assert (closing["overridden_items"], closing["overridden_handoffs"]) == (1, 1)
    assert closing["return_reasons"] == [{"reason": "Missing information", "handoffs": 1}]
    assert closing["top_missing"][0] == {"item": "Budget", "handoffs": 2}
    assert result["overall"]["sent"] == 5


def test_no_handoffs_gives_no_overall_figures():
    result = handoff_health(frames(), PERIOD, NOW)

    assert result == {"overall": None, "by_transition": []}
