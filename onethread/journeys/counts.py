"""The board's counts per stage, maintained as journeys move (StageCount).

Services call `shift` in the transaction that moves a journey; bulk writers
(imports, restores) call `recount` once they are done."""

from django.db import connection, transaction
from django.db.models import Count

from onethread.journeys.models import Journey, StageCount


def shift(team_id: int, stage_id: int, source: str, delta: int) -> None:
    """Add delta to one cell, creating it on first use (an upsert, so that two
    transactions creating the same cell never collide)."""
    table = connection.ops.quote_name(StageCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (team_id, stage_id, source, count) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (team_id, stage_id, source) "
            f"DO UPDATE SET count = {table}.count + excluded.count",
            [team_id, stage_id, source, delta],
        )


def journey_entered(journey: Journey) -> None:
    shift(journey.team_id, journey.stage_id, journey.source, 1)


def journey_left(journey: Journey) -> None:
    shift(journey.team_id, journey.stage_id, journey.source, -1)


@transaction.atomic
def recount() -> int:
    """Rebuild every cell from the journeys themselves; returns the cells written."""
    StageCount.objects.all().delete()
    cells = [
        StageCount(
            team_id=row["team_id"], stage_id=row["stage_id"], source=row["source"], count=row["n"]
        )
        for row in Journey.objects.order_by()
        .values("team_id", "stage_id", "source")
        .annotate(n=Count("id"))
    ]
    StageCount.objects.bulk_create(cells, batch_size=2000)
    return len(cells)
