import datetime as dt

import pyarrow as pa
import pytest
from django.db import connection

from onethread.imports.bulk import driver_value
from onethread.insights import adapter, registry, services
from onethread.insights.frames import EVERYTHING, TIME, Frames
from onethread.insights.models import Checkpoint, JourneyFact, MonthlyValue, StageVisit
from onethread.insights.tests.journeys import day, journey_through, record_value
from onethread.journeys.models import JourneyEvent, Stage
from onethread.journeys.services import add_note, assign_owner, move_stage
from onethread.team.models import Role
from tests.builders import make_member

pytestmark = pytest.mark.django_db
NOW = day(60)


def journey_level(frames: Frames) -> dict[str, list[dict]]:
    return {
        "journeys": frames.journeys.to_pylist(),
        "visits": frames.visits.to_pylist(),
        "monthly_value": frames.monthly_value.to_pylist(),
    }


def assert_same_as_full_recompute() -> None:
    maintained, recomputed = adapter.read_frames(), adapter.read_frames(from_events=True)
    assert journey_level(maintained) == journey_level(recomputed)
    assert registry.compute_all(maintained, EVERYTHING, NOW) == registry.compute_all(
        recomputed, EVERYTHING, NOW
    )


@pytest.fixture
def owner():
    return make_member(Role.AE)


@pytest.fixture
def three_journeys(owner):
    won = journey_through(owner, [("qualification", 2), ("closing", 5), ("onboarding", 9)])
    record_value(won, "120.50", 12)
    record_value(won, "30", 40)
    lost = journey_through(owner, [("qualification", 1), ("lost", 3)], source="event")
    back = journey_through(owner, [("closing", 1), ("qualification", 2)], opened=0.5)
    return won, lost, back


def test_the_first_refresh_rebuilds_journey_by_journey_and_matches_a_full_recompute(
    three_journeys,
):
    result = services.refresh_insights(batch_size=2 * services.EVENTS_PER_JOURNEY)

    assert result.events == JourneyEvent.objects.count()
    assert (result.journeys, result.batches) == (3, 2)  # two journeys per transaction
    assert result.last_event_id == JourneyEvent.objects.latest("id").pk
    assert JourneyFact.objects.count() == 3
    assert StageVisit.objects.filter(journey=three_journeys[2]).count() == 3
    assert_same_as_full_recompute()


def test_incremental_refresh_after_new_events_matches_a_full_recompute(owner, three_journeys):
    won, _, back = three_journeys
    services.refresh_insights()
    move_stage(back, Stage.objects.get(key="closing"), by=owner.user, at=day(20))
    record_value(won, "99.99", 45)
    fresh = journey_through(owner, [("qualification", 21)], opened=20)

    result = services.refresh_insights()

    assert result.journeys == 3  # back, won and fresh; the lost journey is left alone
    assert JourneyFact.objects.get(journey=won).revenue_after_won == pytest.approx(250.49)
    assert StageVisit.objects.filter(journey=fresh).count() == 2
    assert_same_as_full_recompute()


def failing_on_call(number: int, calls: list) -> object:
    real_rewrite = services.rewrite

    def rewrite(journey_ids, *, up_to=None):
        calls.append(up_to)
        if len(calls) == number:
            raise RuntimeError("the worker died")
        real_rewrite(journey_ids, up_to=up_to)

    return rewrite


def test_an_interrupted_refresh_keeps_its_last_batch_and_resumes(
    monkeypatch, owner, three_journeys
):
    won, _, back = three_journeys
    services.refresh_insights()
    folded = JourneyEvent.objects.latest("id").pk
    move_stage(back, Stage.objects.get(key="closing"), by=owner.user, at=day(20))
    record_value(won, "10", 41)
    record_value(won, "20", 42)
    journey_through(owner, [("qualification", 21)], opened=20)
    monkeypatch.setattr(services, "rewrite", failing_on_call(2, []))

    with pytest.raises(RuntimeError):
        services.refresh_insights(batch_size=2)

    first_batch_end = JourneyEvent.objects.filter(id__gt=folded).order_by("id")[1].pk
    assert Checkpoint.objects.get().last_event_id == first_batch_end
    monkeypatch.undo()
    result = services.refresh_insights(batch_size=2)
    assert result.last_event_id == JourneyEvent.objects.latest("id").pk
    assert_same_as_full_recompute()


def test_an_interrupted_rebuild_starts_again(monkeypatch, three_journeys):
    monkeypatch.setattr(services, "rewrite", failing_on_call(2, []))
    with pytest.raises(RuntimeError):
        services.refresh_insights(batch_size=services.EVENTS_PER_JOURNEY)
    assert Checkpoint.objects.get().last_event_id == 0
    assert JourneyFact.objects.count() == 1  # the first transaction's journey

    monkeypatch.undo()
    services.refresh_insights(batch_size=services.EVENTS_PER_JOURNEY)

    assert JourneyFact.objects.count() == 3
    assert_same_as_full_recompute()


def test_a_full_refresh_starts_again_from_nothing(three_journeys):
    services.refresh_insights()
    JourneyFact.objects.all().delete()

    result = services.refresh_insights(full=True)

    assert result.events == JourneyEvent.objects.count()
    assert JourneyFact.objects.count() == 3


def test_the_refresh_refuses_an_empty_batch():
    with pytest.raises(ValueError, match="at least 1"):
        services.refresh_insights(batch_size=0)


def test_a_value_event_without_time_counts_in_no_month(three_journeys):
    won = three_journeys[0]
    JourneyEvent.objects.create(
        journey=won,
        kind="value_recorded",
        stage=won.stage,
        occurred_at=None,
        recorded_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        payload={"amount": "7"},
    )
    services.refresh_insights()
    frames = adapter.read_frames()
    assert sum(row["events"] for row in frames.monthly_value.to_pylist()) == 2


def test_a_journey_that_only_got_a_note_keeps_its_rows_and_a_new_owner_is_rewritten(
    owner, three_journeys
):
    won, _, back = three_journeys
    services.refresh_insights()
    before = JourneyFact.objects.get(journey=won).refreshed_upto
    add_note(won, "Called, all fine.", by=owner.user)
    assign_owner(back, make_member(Role.AE), by=owner.user, at=day(30))

    result = services.refresh_insights()

    assert result.journeys == 1  # back (new owner and team); won only got a note
    assert JourneyFact.objects.get(journey=won).refreshed_upto == before
    assert JourneyFact.objects.get(journey=back).refreshed_upto == result.last_event_id
    assert_same_as_full_recompute()


def test_only_the_journey_marker_is_indexed():
    """The copy finds recomputed journeys by their JourneyFact marker; an index
    on the stays' and months' markers would only cost every write."""
    with connection.cursor() as cursor:
        for model, indexed in ((JourneyFact, True), (StageVisit, False), (MonthlyValue, False)):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            found = any(
                c["index"] and c["columns"] == ["refreshed_upto"] for c in constraints.values()
            )
            assert found == indexed, model


def test_a_rewrite_writes_only_the_rows_that_changed(owner, three_journeys):
    won, _, back = three_journeys
    services.refresh_insights()
    fields = ("pk", "seq", "left_at", "refreshed_upto")
    before = list(StageVisit.objects.filter(journey=back).order_by("seq").values_list(*fields))
    months = set(MonthlyValue.objects.filter(journey=won).values_list("pk", "refreshed_upto"))
    move_stage(back, Stage.objects.get(key="closing"), by=owner.user, at=day(20))
    record_value(won, "5", 12)  # the same month as an earlier value

    result = services.refresh_insights()

    after = list(StageVisit.objects.filter(journey=back).order_by("seq").values_list(*fields))
    # The finished stays are untouched, the open one was finished in place,
    # and the new stay is a new row.
    assert after[: len(before) - 1] == before[:-1]
    last = before[-1]
    assert after[len(before) - 1] == (last[0], last[1], day(20), result.last_event_id)
    assert len(after) == len(before) + 1
    assert after[-1][0] not in {row[0] for row in before}
    months_after = set(MonthlyValue.objects.filter(journey=won).values_list("pk", "refreshed_upto"))
    assert {pk for pk, _ in months_after} == {pk for pk, _ in months}
    assert len(months_after - months) == 1  # one month rewritten in place
    assert_same_as_full_recompute()


def test_times_are_written_as_bulk_writes_them():
    times = [
        dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 3, 9, 0, 0, 500, tzinfo=dt.UTC),
        dt.datetime(1969, 12, 31, 23, 59, 59, 250_000, tzinfo=dt.UTC),
        None,
    ]
    table = pa.table(
        {"journey_id": [1, 2, 3, 4], "seq": [1, 1, 1, 1], "stage": ["lead"] * 4},
    ).append_column("entered_at", pa.array(times, TIME))
    convert = driver_value(StageVisit._meta.get_field("entered_at"))

    rows = services._driver_rows(StageVisit, table, ())

    assert [row[3] for row in rows] == [convert(value) for value in times]


def test_a_rewrite_deletes_the_rows_no_longer_derived(three_journeys):
    won, _, back = three_journeys
    services.refresh_insights()
    # History rewritten behind the log's back (an import's correction): the
    # last stage change and the value events are gone.
    gone = [
        JourneyEvent.objects.filter(journey=back, kind="stage_entered").latest("id").pk,
        *JourneyEvent.objects.filter(journey=won, kind="value_recorded").values_list(
            "pk", flat=True
        ),
    ]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(gone))
        cursor.execute(f"delete from {JourneyEvent._meta.db_table} where id in ({marks})", gone)

    services.rewrite([won.pk, back.pk])

    assert StageVisit.objects.filter(journey=back).count() == 2
    assert not MonthlyValue.objects.filter(journey=won).exists()
    assert_same_as_full_recompute()
