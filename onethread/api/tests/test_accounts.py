import pytest
from django.test import Client

from onethread.api.tests.apiclient import Api, issue_key
from onethread.journeys.models import EventKind, Journey
from onethread.team.models import Role
from tests.builders import make_journey, make_member, make_user

pytestmark = pytest.mark.django_db


def test_creating_an_account_opens_its_journey_owned_by_the_caller(api_as):
    member = make_member(Role.SDR)
    api = api_as(member)
    response = api.post(
        "/accounts",
        {"name": " Initech ", "domain": "initech.example", "employees": 250, "source": "webinar"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Initech"
    assert body["employees"] == 250
    journey = Journey.objects.get(pk=body["journey_id"])
    assert journey.account_id == body["id"]
    assert journey.owner == member
    assert journey.team == member.team
    assert journey.source == "webinar"
    kinds = list(journey.events.values_list("kind", flat=True))
    assert EventKind.JOURNEY_OPENED in kinds


def test_a_user_who_is_not_a_member_cannot_open_accounts():
    superuser = make_user(is_superuser=True)
    api = Api(key=issue_key(superuser), client=Client())
    response = api.post("/accounts", {"name": "Initech"})
    assert response.status_code == 403
    assert "member" in response.json()["detail"]


def test_the_list_shows_the_accounts_you_can_see_by_name(api_as):
    member = make_member(Role.AE)
    zeta = make_journey(owner=member, name="Zeta")
    alpha = make_journey(owner=member, name="Alpha")
    make_journey(owner=make_member(Role.AE), name="Another team's")
    response = api_as(member).get("/accounts")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["name"], item["journey_id"]) for item in items] == [
        ("Alpha", alpha.pk),
        ("Zeta", zeta.pk),
    ]
    assert response.json()["next"] is None


def test_an_account_is_retrieved_with_its_current_journey(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member, name="Umbrella")
    response = api_as(member).get(f"/accounts/{journey.account_id}")
    assert response.status_code == 200
    assert response.json()["name"] == "Umbrella"
    assert response.json()["journey_id"] == journey.pk


def test_another_teams_account_is_not_found(api_as):
    theirs = make_journey(owner=make_member(Role.AE))
    api = api_as(make_member(Role.AE))
    for path in (f"/accounts/{theirs.account_id}", f"/accounts/{theirs.account_id}/contacts"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No such account."}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Initech", "employees": "many"}, "employees"),
        ({"name": "Initech", "employees": "12"}, "employees"),
        ({"name": "Initech", "employees": 2**31}, "employees"),
        ({"name": "Ini\x00tech"}, "name"),
        ({"name": "Initech", "owner": 1}, "owner"),
    ],
)
def test_an_invalid_account_answers_422_naming_the_field(api_as, body, field):
    response = api_as(make_member()).post("/accounts", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not Journey.objects.exists()


def test_a_body_that_is_not_json_answers_400_with_a_message(api_as):
    api = api_as(make_member())
    response = api.client.post(
        "/api/v1/accounts", "{name: Initech", "application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Cannot parse request body"


@pytest.mark.parametrize("body", ["", "[1, 2]", "null", '"Initech"'])
def test_a_body_that_is_not_an_object_answers_422_about_the_body(api_as, body):
    api = api_as(make_member())
    response = api.client.post("/api/v1/accounts", body, "application/json", headers=api.headers)
    assert response.status_code == 422
    assert "body" in response.json()["errors"]


@pytest.mark.parametrize("account_id", ["9223372036854775808", "-1", "0", "abc", "1.5"])
def test_an_id_out_of_range_answers_422_not_500(api_as, account_id):
    response = api_as(make_member()).get(f"/accounts/{account_id}")
    assert response.status_code == 422
    assert "account_id" in response.json()["errors"]


def test_pages_return_every_account_exactly_once(api_as):
    member = make_member(Role.AE)
    for name in ["Delta", "alpha", "Charlie", "Bravo", "Echo", "Bravo", "Foxtrot"]:
        make_journey(owner=member, name=name)
    api = api_as(member)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"after": cursor} if cursor else {})}
        body = api.get("/accounts", **params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(set(seen))
    assert len(seen) == 7


def test_a_tampered_cursor_answers_422(api_as):
    response = api_as(make_member()).get("/accounts", after="bm90LWEtY3Vyc29y")
    assert response.status_code == 422
    assert "after" in response.json()["errors"]


@pytest.mark.parametrize("limit", ["0", "201", "ten"])
def test_a_limit_out_of_range_answers_422(api_as, limit):
    response = api_as(make_member()).get("/accounts", limit=limit)
    assert response.status_code == 422
    assert "limit" in response.json()["errors"]


@pytest.mark.parametrize("accounts", [2, 25])
def test_the_account_list_runs_a_bounded_number_of_queries(
    api_as, django_assert_max_num_queries, accounts
):
    member = make_member(Role.AE)
    for _ in range(accounts):
        make_journey(owner=member)
    api = api_as(member)
    with django_assert_max_num_queries(3):
        response = api.get("/accounts", limit=20)
    assert len(response.json()["items"]) == min(accounts, 20)
