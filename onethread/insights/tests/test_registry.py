import datetime as dt

import pytest

from onethread.insights import registry
from onethread.insights.frames import Filters, Frames, restrict
from onethread.insights.tests.data import NOW, PERIOD, STAGES, frames, journey


def test_every_metric_runs_on_empty_frames():
    results = registry.compute_all(Frames.of(stages=STAGES), PERIOD, NOW)

    assert set(results) == {metric.key for metric in registry.METRICS}
    assert results["lead_to_won"]["leads"] == 0
    assert results["post_sale"]["won"] == 0


def test_an_unknown_metric_is_named_in_the_error():
    with pytest.raises(KeyError, match="No metric 'nope'"):
        registry.get("nope")


def test_filters_restrict_every_frame_to_the_matching_journeys():
    data = frames(
        journey(1, [], team=1, source="web"),
        journey(2, [], team=2, source="web"),
        journey(3, [], team=1, source="event", opened=40),
        seats=[{"journey_id": 3, "member_id": 7, "stage": "lead", "owned": True}],
        interactions=[{"journey_id": 2, "occurred_at": NOW}],
    )

    def ids(filters: Filters) -> list[int]:
        return sorted(restrict(data, filters).journeys["journey_id"].to_pylist())

    assert ids(Filters(team=1)) == [1, 3]
    assert ids(Filters(source="web")) == [1, 2]
    assert ids(Filters(cohort=dt.date(2025, 4, 1))) == [3]
    assert ids(Filters(member=7)) == [3]
    assert ids(Filters(team=1, source="web")) == [1]
    assert restrict(data, Filters(team=1)).interactions.num_rows == 0
    assert restrict(data, Filters()).stages.num_rows == len(STAGES)


def test_compute_all_gives_what_each_metric_gives_alone():
    data = frames(
        journey(1, [("qualification", 2), ("lost", 3)], outcome="lost", reason="price"),
        journey(2, [("qualification", 1), ("closing", 4)], source="event", opened=35),
    )

    together = registry.compute_all(data, PERIOD, NOW)

    for metric in registry.METRICS:
        assert together[metric.key] == registry.compute(metric.key, data, PERIOD, NOW), metric.key
