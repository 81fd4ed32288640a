"""The report on the real Olist data agrees with an independent computation
written here directly over the files (csv module; the order items come as
Parquet), not with the report's own code."""

import csv
import datetime as dt
import io
import json
import statistics
import zoneinfo
from collections import Counter
from decimal import Decimal
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import transaction

from onethread.imports.olist import import_olist
from onethread.imports.tests.olist_data import OLIST_DIR, needs_olist

pytestmark = [pytest.mark.django_db, needs_olist]
SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")


def rows(name: str) -> list[dict[str, str]]:
    with (OLIST_DIR / name).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    mqls = {row["mql_id"]: row for row in rows("olist_marketing_qualified_leads_dataset.csv")}
    deals = [row for row in rows("olist_closed_deals_dataset.csv") if row["mql_id"] in mqls]
    leads = Counter(row["origin"] or "(no source)" for row in mqls.values())
    won = Counter(mqls[deal["mql_id"]]["origin"] or "(no source)" for deal in deals)
    won_at = {
        deal["seller_id"]: dt.datetime.fromisoformat(deal["won_date"]).replace(tzinfo=SAO_PAULO)
        for deal in deals
    }
    # Elapsed time: through UTC, as Python subtracts wall clocks within one zone
    # (Brazil changed its clocks in the period).
    days_to_win = [
        (
            won_at[deal["seller_id"]].astimezone(dt.UTC)
            - dt.datetime.combine(
                dt.date.fromisoformat(mqls[deal["mql_id"]]["first_contact_date"]),
                dt.time(),
                tzinfo=SAO_PAULO,
            ).astimezone(dt.UTC)
        ).total_seconds()
        / 86400
        for deal in deals
    ]
    items = pq.read_table(OLIST_DIR / "order_items.parquet").to_pylist()
    revenue: dict[str, Decimal] = {}
    first_value: dict[str, dt.datetime] = {}
    for item in items:
        seller, shipped = item["seller_id"], item["shipping_limit_date"]
        if seller in won_at and shipped >= won_at[seller]:
            price = Decimal(str(item["price"])).quantize(Decimal("0.01"))
            revenue[seller] = revenue.get(seller, Decimal(0)) + price
            first_value[seller] = min(first_value.get(seller, shipped), shipped)
    return {
        "leads": len(mqls),
        "won": len(deals),
        "by_origin": {origin: (leads[origin], won[origin]) for origin in leads},
        "median_days": statistics.median(days_to_win),
        "sdrs": len({deal["sdr_id"] for deal in deals}),
        "reps": len({deal["sr_id"] for deal in deals}),
        "activated": len(revenue),
        "revenue": sum(revenue.values(), Decimal(0)),
        "median_days_to_first_value": statistics.median(
            (first_value[s] - won_at[s].astimezone(dt.UTC)).total_seconds() / 86400
            for s in first_value
        ),
    }


@pytest.fixture(scope="module")
def report(django_db_setup: None, django_db_blocker: Any) -> dict[str, Any]:
    """Import once, run `onethread report --format json`, and leave nothing behind."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        imported = import_olist(OLIST_DIR)
        assert imported.committed, imported.summary_lines()
        call_command("report", format="json", stdout=out)
        transaction.set_rollback(True)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_lead_to_won_agrees_with_the_files(report, expected):
    lead_to_won = report["lead_to_won"]

    assert (lead_to_won["leads"], lead_to_won["won"]) == (expected["leads"], expected["won"])
    assert lead_to_won["conversion_rate"] == pytest.approx(expected["won"] / expected["leads"])
    assert lead_to_won["median_days"] == pytest.approx(expected["median_days"], abs=1e-6)


def test_conversion_per_origin_agrees_with_the_files(report, expected):
    found = {row["source"]: (row["leads"], row["won"]) for row in report["by_source"]}

    assert found == expected["by_origin"]
    for row in report["by_source"]:
        leads, won = expected["by_origin"][row["source"]]
        assert row["conversion_rate"] == pytest.approx(won / leads)


def test_the_number_of_sdrs_and_sales_reps_agrees_with_the_files(report, expected):
    families = Counter(card["family"] for card in report["scorecards"]["members"])

    assert (families["sdr"], families["ae"]) == (expected["sdrs"], expected["reps"])


def test_sellers_activated_after_the_sale_and_their_revenue_agree_with_the_files(report, expected):
    sale = report["post_sale"]

    assert sale["won"] == expected["won"]
    assert sale["activated"] == expected["activated"]
    assert sale["activation_rate"] == pytest.approx(expected["activated"] / expected["won"])
    assert Decimal(str(sale["revenue"])) == expected["revenue"]
    assert sale["median_days_to_first_value"] == pytest.approx(
        expected["median_days_to_first_value"], abs=1e-6
    )


def test_the_funnel_reports_the_stage_changes_olist_gives_no_time_for(report):
    funnel = {row["stage"]: row for row in report["funnel"]}

    assert funnel["lead"]["entered"] == 8000
    assert funnel["qualification"]["excluded_without_time"] == 842
    assert funnel["qualification"]["median_days_in_stage"] is None
