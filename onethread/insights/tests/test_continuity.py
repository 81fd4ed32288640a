import datetime as dt

import pytest

from onethread.insights import continuity
from onethread.insights.tests.data import NOW, PERIOD, day, frames, journey


def need(status, *, side="acquisition", in_deal=False, when=1.0):
    return {
        "journey_id": 1,
        "captured_stage": "qualification",
        "captured_side": side,
        "status": status,
        "captured_at": day(when),
        "in_deal": in_deal,
    }


def test_needs_carried_counts_needs_captured_before_the_sale():
    needs = [
        need("delivered", in_deal=True),
        need("addressed", in_deal=True),
        need("delivered"),
        need("open"),
        need("unmet"),
        need("delivered", side="retention"),  # captured after the sale: not counted
    ]
    result = continuity.needs_carried(frames(needs=needs), PERIOD, NOW)

    assert (result["captured"], result["addressed"], result["delivered"]) == (5, 3, 2)
    assert result["carried"] == 2
    assert result["unmet"] == 1
    assert result["share_carried"] == pytest.approx(0.4)


def promise(stage, status, due=None):
    return {
        "journey_id": 1,
        "made_stage": stage,
        "status": status,
        "made_at": day(1),
        "due_on": due,
    }


def test_promises_are_counted_by_the_stage_that_made_them():
    promises = [
        promise("closing", "kept"),
        promise("closing", "broken"),
        promise("closing", "open", dt.date(2025, 4, 1)),  # overdue at NOW
        promise("closing", "renegotiated", dt.date(2026, 4, 1)),
        promise("qualification", "kept"),
    ]
    rows = continuity.promises_by_stage(frames(commitments=promises), PERIOD, NOW)

    assert [row["stage"] for row in rows] == ["qualification", "closing"]
    closing = rows[1]
    assert (closing["made"], closing["kept"], closing["broken"]) == (4, 1, 1)
    assert (closing["overdue"], closing["open"]) == (1, 2)
    assert closing["kept_rate"] == 0.5


def test_repeated_discovery_is_counted_per_handoff_received():
    handoffs = [
        {
            "journey_id": 1,
            "from_stage": "closing",
            "to_stage": "onboarding",
            "sent_at": day(d),
            "status": "accepted",
        }
        for d in (1, 2, 3, 4)
    ]
    discoveries = [{"journey_id": 1, "stage": "onboarding", "occurred_at": day(5)}]
    result = continuity.repeated_discovery(
        frames(handoffs=handoffs, discoveries=discoveries), PERIOD, NOW
    )

    assert result["discoveries"] == 1
    assert result["rate_per_handoff"] == 0.25


def test_silences_are_gaps_between_interactions_longer_than_the_threshold():
    calls = [{"journey_id": 1, "occurred_at": day(d)} for d in (0, 10, 50, 55)]
    calls += [{"journey_id": 2, "occurred_at": day(d)} for d in (0, 5)]
    data = frames(journey(1, []), journey(2, [("lost", 6)], outcome="lost"), interactions=calls)

    result = continuity.silences(data, PERIOD, NOW, gap_days=30)

    assert (result["gaps"], result["silences"]) == (4, 1)
    assert (result["journeys_with_gaps"], result["journeys_with_silence"]) == (2, 1)
    assert result["median_gap_days"] == pytest.approx(7.5)  # gaps 10, 40, 5 and 5
    assert result["silent_now"] == 1  # journey 1 is open and quiet since day 55; 2 is closed
