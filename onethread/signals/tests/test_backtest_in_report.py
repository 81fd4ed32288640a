"""The first-value back-test read from the database, in `onethread report`:
on the imported Olist data its figures are those of the back-test over the
files; with too little data the section says why it is absent."""

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from onethread.imports.olist import import_olist
from onethread.imports.tests.olist_data import OLIST_DIR, needs_olist
from onethread.journeys.events import record_event
from onethread.journeys.models import EventKind, Journey
from onethread.signals.backtest import backtest, load_olist
from onethread.signals.backtest_records import load_won_journeys
from tests.builders import make_journey

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def won_journey(won_at: dt.datetime) -> Journey:
    journey = make_journey(stage_key="onboarding")
    Journey.objects.filter(pk=journey.pk).update(won_at=won_at)
    journey.refresh_from_db()
    return journey


def report_json() -> dict[str, Any]:
    out = io.StringIO()
    call_command("report", format="json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.django_db
def test_won_journeys_are_read_with_their_first_value_after_the_win():
    won_at = NOW - dt.timedelta(days=90)
    journey = won_journey(won_at)
    for days in (-1, 5):
        record_event(
            journey,
            EventKind.VALUE_RECORDED,
            by=None,
            occurred_at=won_at + dt.timedelta(days=days),
        )
    make_journey()  # not won: not in the sample

    sample = load_won_journeys(now=NOW)

    assert [deal.won_at for deal in sample.deals] == [won_at]
    assert sample.deals[0].first_value_at == won_at + dt.timedelta(days=5)
    assert not sample.deals[0].never_valued()
    assert sample.observed_until == won_at + dt.timedelta(days=5)


@pytest.mark.django_db
def test_the_report_says_why_the_backtest_is_absent_with_few_won_journeys():
    won_journey(NOW - dt.timedelta(days=90))

    section = report_json()["risk_backtest"]

    assert section["available"] is False
    assert section["reason"] == "no value event is recorded, so no outcome is known"
    assert "No back-test" in section["text"]


@pytest.fixture(scope="module")
def olist_report(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Import once, run `onethread report --format json` (and the text and
    HTML renderings), and leave nothing behind."""
    with django_db_blocker.unblock(), transaction.atomic():
        imported = import_olist(OLIST_DIR)
        assert imported.committed, imported.summary_lines()
        result = report_json()
        text, page = io.StringIO(), tmp_path_factory.mktemp("report") / "report.html"
        call_command("report", stdout=text)
        call_command("report", format="html", output=page, stdout=io.StringIO())
        result["rendered"] = (text.getvalue(), page.read_text(encoding="utf-8"))
        transaction.set_rollback(True)
    return result


@needs_olist
@pytest.mark.django_db
def test_the_report_backtest_on_imported_olist_equals_the_backtest_over_the_files(olist_report):
    files = backtest(load_olist(OLIST_DIR))
    section = olist_report["risk_backtest"]

    assert section["available"] is True
    assert (section["deals"], section["train"], section["test"]) == (
        files.deals,
        files.train,
        files.test,
    )
    assert section["test_from"] == files.test_from.isoformat()
    assert section["base_rate"] == pytest.approx(files.base_rate, abs=1e-12)
    assert section["rule"]["auc"] == pytest.approx(files.rule_auc, abs=1e-12)
    assert section["rule"]["precision_at_top_decile"] == pytest.approx(files.rule_precision)
    assert section["model"]["auc"] == pytest.approx(files.model_auc, abs=1e-9)
    assert section["model"]["precision_at_top_decile"] == pytest.approx(files.model_precision)
    text, html = olist_report["rendered"]
    assert f"AUC {files.model_auc:.3f}" in text
    assert f"{files.rule_auc:.3f}" in html
