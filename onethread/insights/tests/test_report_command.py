import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from onethread.insights.models import Checkpoint
from onethread.insights.tests.journeys import a_small_company
from onethread.journeys.models import JourneyEvent

pytestmark = pytest.mark.django_db
KEYS = {"funnel", "lead_to_won", "by_source", "handoffs", "continuity", "post_sale", "scorecards"}


def run(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def company():
    return a_small_company()


def test_the_json_report_has_every_section_with_rates_and_days(company):
    report = json.loads(run(format="json"))

    assert set(report) >= KEYS
    funnel = report["funnel"]
    assert [row["stage"] for row in funnel][:3] == ["lead", "qualification", "closing"]
    for row in funnel:
        assert set(row) >= {
            "stage",
            "entered",
            "advanced",
            "conversion_rate",
            "median_days_in_stage",
            "excluded_without_time",
        }
    assert funnel[0]["entered"] == 12
    assert funnel[0]["median_days_in_stage"] == pytest.approx(1.0)  # every lead: one day
    assert set(report["lead_to_won"]) >= {"leads", "won", "conversion_rate", "median_days"}
    assert report["lead_to_won"]["won"] == 6  # 12 leads, less 3 returned and 3 lost
    assert {row["source"] for row in report["by_source"]} == {"web", "event"}
    assert set(report["post_sale"]) >= {
        "won",
        "activated",
        "activation_rate",
        "median_days_to_first_value",
        "revenue",
    }
    assert report["post_sale"]["activated"] == 4  # won: 0, 1, 4, 6, 9, 10; value on the even ones
    assert 0 <= report["post_sale"]["activation_rate"] <= 1
    closing = next(
        row for row in report["handoffs"]["by_transition"] if row["to_stage"] == "closing"
    )
    assert (closing["sent"], closing["returned"]) == (12, 3)
    assert closing["acceptance_rate"] == pytest.approx(0.75)
    assert report["findings"]["change_first"]["text"]
    assert Checkpoint.objects.get().last_event_id == JourneyEvent.objects.latest("id").pk


def test_the_text_report_names_the_leaks_and_the_change_to_make_first(company):
    text = run()

    assert "Change first" in text
    assert "The biggest leaks" in text
    assert "qualification → closing: 12 sent, 3 returned" in text


def test_the_html_report_is_one_page_with_inline_charts(company, tmp_path: Path):
    target = tmp_path / "report.html"

    message = run(format="html", output=str(target))

    page = target.read_text(encoding="utf-8")
    assert "Report written to" in message
    assert page.count("<svg") >= 4
    assert "<script" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_the_period_options_select_journeys_by_opening(company):
    report = json.loads(run(format="json", start="2025-01-08", end="2025-01-09"))

    assert report["lead_to_won"]["leads"] == 2


def test_an_empty_database_gets_a_clear_message():
    assert "no journeys in the database yet" in run()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"format": "html"}, "needs --output"),
        ({"start": "yesterday"}, "not a date"),
        ({"start": "2025-02-01", "end": "2025-01-01"}, "must not be before"),
    ],
)
def test_bad_options_are_refused_with_a_message(options, message):
    with pytest.raises(CommandError, match=message):
        run(**options)


def test_insights_refresh_folds_the_new_events(company):
    out = io.StringIO()
    call_command("insights", "refresh", "--batch-size", "50", stdout=out)

    assert f"checkpoint at event {JourneyEvent.objects.latest('id').pk}" in out.getvalue()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("insights", "refresh", "--batch-size", "0")
