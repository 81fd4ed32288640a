"""The insights dashboards over HTTP: content, filters, CSV, who sees what,
and a bounded number of queries."""

import csv
import io

import pytest
from django.urls import reverse

from onethread.insights import services
from onethread.insights.columnar import COPY, RESULTS
from onethread.insights.dashboards import DASHBOARDS
from onethread.insights.panels import Panel
from onethread.insights.tests.journeys import a_small_company, journey_through, record_value
from onethread.team.models import Member, Role
from tests.builders import PASSWORD, make_member, make_team, make_user

pytestmark = pytest.mark.django_db
YEAR = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture(autouse=True)
def fresh_caches():
    """The columnar copy and results live per process: start each test empty."""
    COPY.clear()
    RESULTS.clear()
    yield
    COPY.clear()
    RESULTS.clear()


@pytest.fixture
def company():
    journeys = a_small_company()
    other = make_member(Role.SDR, team=make_team("Elsewhere"), first_name="Other")
    journey_through(other, [("qualification", 1)], source="partner")
    services.refresh_insights()
    return journeys[0].team


def login(client, member: Member) -> None:
    assert client.login(username=member.user.username, password=PASSWORD)


def page(client, slug: str, **params: str):
    return client.get(reverse("insights-dashboard", args=[slug]), {**YEAR, **params})


def table(client, slug: str, panel: str, **params: str) -> list[dict[str, str]]:
    response = client.get(reverse("insights-csv", args=[slug, panel]), {**YEAR, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def admin():
    return make_member(Role.ADMIN, team=make_team("Head office"))


def manager(team):
    return make_member(Role.MANAGER, team=team, first_name="Mia")


def test_the_bow_tie_shows_both_sides_of_the_commit_with_charts_and_tables(client, company):
    login(client, manager(company))

    response = page(client, "bow-tie")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Stages before the commit (acquisition)" in body
    assert "Stages after the commit (retention)" in body
    assert body.count('role="img"') >= 3
    assert "Figures as of the last refresh" in body
    assert table(client, "bow-tie", "lead-to-won")[0]["Leads"] == "12"


@pytest.mark.parametrize("dashboard", [d.slug for d in DASHBOARDS])
def test_every_dashboard_answers_with_a_bounded_number_of_queries(
    client, company, dashboard, django_assert_max_num_queries
):
    login(client, manager(company))
    with django_assert_max_num_queries(30):  # the first request loads the columnar copy
        assert page(client, dashboard).status_code == 200
    with django_assert_max_num_queries(10):  # 3 of them: the nav counts
        response = page(client, dashboard, source="web")

    assert response.status_code == 200
    assert "Download this table as CSV" in response.content.decode()


def test_csv_downloads_hold_the_rows_of_the_table(client, company):
    login(client, manager(company))

    sources = table(client, "bow-tie", "by-source")

    assert {row["Source"]: row["Leads"] for row in sources} == {"web": "6", "event": "6"}
    stages = [row["Stage"] for row in table(client, "funnel", "drop-off")]
    assert stages[:3] == ["Lead", "Qualification", "Closing"]


def test_filters_by_source_cohort_and_period_change_the_figures(client, company):
    login(client, manager(company))

    assert table(client, "bow-tie", "lead-to-won", source="web")[0]["Leads"] == "6"
    assert table(client, "bow-tie", "lead-to-won", cohort="2025-01")[0]["Leads"] == "12"
    assert table(client, "bow-tie", "lead-to-won", cohort="2024-12")[0]["Leads"] == "0"
    narrow = {"start": "2025-01-06", "end": "2025-01-08"}
    response = client.get(reverse("insights-csv", args=["bow-tie", "lead-to-won"]), narrow)
    assert next(csv.DictReader(io.StringIO(response.content.decode())))["Leads"] == "3"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "yesterday"}, "Enter a valid date"),
        ({"cohort": "2025-13"}, "YYYY-MM"),
        ({"start": "2025-05-01", "end": "2025-04-01"}, "must end on or after"),
        ({"team": "abc"}, "Enter a whole number"),
        ({"source": "x" * 101}, "at most 100 characters"),
    ],
)
def test_bad_filters_are_a_400_with_the_message(client, company, params, message):
    login(client, manager(company))

    response = page(client, "bow-tie", **params)
    download = client.get(reverse("insights-csv", args=["bow-tie", "by-source"]), params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert download.status_code == 400
    assert message in download.content.decode()


def test_a_member_sees_their_own_teams_figures_and_no_other_team(client, company):
    elsewhere = Member.objects.get(user__first_name="Other")
    login(client, elsewhere)

    assert table(client, "bow-tie", "lead-to-won")[0]["Leads"] == "1"
    assert page(client, "bow-tie", team=str(company.pk)).status_code == 403
    csv_url = reverse("insights-csv", args=["bow-tie", "lead-to-won"])
    assert client.get(csv_url, {"team": company.pk}).status_code == 403


def test_admins_see_every_team_and_may_filter_by_one(client, company):
    login(client, admin())

    assert table(client, "bow-tie", "lead-to-won")[0]["Leads"] == "13"
    assert table(client, "bow-tie", "lead-to-won", team=str(company.pk))[0]["Leads"] == "12"
    assert page(client, "bow-tie", team="999999").status_code == 400


def test_users_outside_any_team_see_no_insights(client, company):
    assert client.get(reverse("insights-dashboard", args=["bow-tie"])).status_code == 302
    user = make_user("loner")
    assert client.login(username=user.username, password=PASSWORD)

    assert page(client, "bow-tie").status_code == 403


def test_unknown_dashboards_and_tables_are_not_found(client, company):
    login(client, manager(company))

    assert page(client, "nope").status_code == 404
    missing = client.get(reverse("insights-csv", args=["bow-tie", "nope"]), YEAR)
    assert missing.status_code == 404


def test_a_manager_sees_the_teams_scorecards_a_member_only_their_own(client, company):
    login(client, manager(company))
    names = {row["Member"] for row in table(client, "scorecards", "members")}
    assert {"Sdr0", "Sdr1", "Ae0", "Csm"} <= names

    client.logout()
    sdr = Member.objects.get(user__first_name="Sdr1")
    login(client, sdr)
    own = table(client, "scorecards", "members")
    body = page(client, "scorecards").content.decode()

    assert [row["Member"] for row in own] == ["Sdr1"]
    assert "disagree most" not in body
    assert "You see your own scorecard" in body


def test_the_pages_follow_the_aggregates_after_an_incremental_refresh(client, company):
    login(client, manager(company))
    before = table(client, "after-the-sale", "activation")[0]
    sdr = Member.objects.get(user__first_name="Sdr0")
    won = journey_through(sdr, [("qualification", 1), ("closing", 2), ("onboarding", 3)])
    record_value(won, "75", 5)
    services.refresh_insights()

    after = table(client, "after-the-sale", "activation")[0]

    assert int(after["Won"]) == int(before["Won"]) + 1
    assert int(after["Activated"]) == int(before["Activated"]) + 1
    assert COPY.increments == 1
    assert table(client, "bow-tie", "lead-to-won")[0]["Leads"] == "13"


def test_the_insights_link_opens_the_bow_tie_with_the_same_filters(client, company):
    login(client, manager(company))

    response = client.get(reverse("insights"), {"source": "web"})

    assert response.status_code == 302
    assert response["Location"] == reverse("insights-dashboard", args=["bow-tie"]) + "?source=web"


def test_insights_lead_to_signal_usefulness_and_to_training_effect_for_managers(client, company):
    usefulness = reverse("signal-usefulness")
    effect = reverse("training-effect")
    login(client, manager(company))
    body = page(client, "bow-tie").content.decode()
    assert usefulness in body
    assert effect in body
    assert client.get(usefulness).status_code == 200
    assert client.get(effect).status_code == 200

    client.logout()
    login(client, Member.objects.get(user__first_name="Sdr1"))
    body = page(client, "bow-tie").content.decode()
    assert usefulness in body
    assert effect not in body


def test_a_missing_figure_lines_up_with_the_numbers_of_its_column():
    panel = Panel(
        "funnel",
        "Funnel",
        [("name", "Stage"), ("conversion_rate", "Conversion"), ("note", "Note")],
        [
            {"name": "Lead", "conversion_rate": 0.5, "note": None},
            {"name": "Adoption", "conversion_rate": None, "note": "none entered"},
        ],
    )
    body = str(panel.body())
    assert '<td class="number">50%</td>' in body
    assert '<td class="number">n/a</td>' in body
    assert "<td>Adoption</td>" in body
    # A column without any number keeps its missing values aligned as text.
    assert "<td>n/a</td>" in body
