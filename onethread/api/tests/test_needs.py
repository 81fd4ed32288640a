import pytest

from onethread.catalogue.models import Category, Product
from onethread.journeys.models import EventKind
from onethread.needs.models import Need
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import make_journey, make_member

pytestmark = pytest.mark.django_db


def test_capturing_a_need_records_who_and_at_which_stage(api_as):
    member = make_member(Role.SDR, username="dana")
    journey = make_journey(owner=member, stage_key="qualification")
    Category.objects.create(name="Reporting", slug="reporting")
    response = api_as(member).post(
        f"/journeys/{journey.pk}/needs",
        {"statement": "Month-end close takes a week", "priority": 2, "category": "reporting"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["captured_by"] == "dana"
    assert body["captured_at_stage"] == "qualification"
    assert (body["priority"], body["category"], body["status"]) == (2, "reporting", "open")
    event = journey.events.get(kind=EventKind.NEED_CAPTURED)
    assert event.payload["need_id"] == body["id"]


def test_needs_are_listed_most_pressing_first_filtered_and_retrieved(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    low = capture_need(journey, "Nicer colours", by=None, priority=4)
    critical = capture_need(journey, "Single sign-on", by=None, priority=1)
    api = api_as(member)
    listed = api.get(f"/journeys/{journey.pk}/needs").json()["items"]
    assert [need["id"] for need in listed] == [critical.pk, low.pk]
    assert api.get(f"/journeys/{journey.pk}/needs", status="delivered").json()["items"] == []
    response = api.get(f"/needs/{low.pk}")
    assert response.status_code == 200
    assert response.json()["statement"] == "Nicer colours"


def test_changing_a_need_names_the_version_edited(api_as):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    need = capture_need(journey, "Single sign-on", by=None)
    product = Product.objects.create(name="SSO add-on")
    response = api_as(member).patch(
        f"/needs/{need.pk}", {"version": need.version, "status": "addressed", "product": product.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "addressed"
    assert body["product"] == {"id": product.pk, "name": "SSO add-on"}
    assert body["version"] == need.version + 1
    event = journey.events.get(kind=EventKind.NEED_CHANGED)
    assert event.payload["changes"]["status"] == ["open", "addressed"]


def test_a_stale_need_version_answers_409_and_changes_nothing(api_as):
    member = make_member(Role.AE)
    need = capture_need(make_journey(owner=member), "Single sign-on", by=None)
    api = api_as(member)
    assert api.patch(f"/needs/{need.pk}", {"version": 1, "priority": 1}).status_code == 200
    response = api.patch(f"/needs/{need.pk}", {"version": 1, "statement": "SAML"})
    assert response.status_code == 409
    assert "version 2" in response.json()["detail"]
    need.refresh_from_db()
    assert (need.statement, need.version) == ("Single sign-on", 2)


def test_another_teams_need_is_not_found(api_as):
    need = capture_need(make_journey(owner=make_member(Role.AE)), "Single sign-on", by=None)
    api = api_as(make_member(Role.AE))
    assert api.get(f"/needs/{need.pk}").status_code == 404
    response = api.patch(f"/needs/{need.pk}", {"version": 1, "status": "unmet"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No such need."}
    assert Need.objects.get(pk=need.pk).status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 1, "category": "astrology"}, "category"),
        ({"version": 1, "product": 999}, "product"),
        ({"version": 1, "status": "delivered"}, "status"),
        ({"version": 1, "status": "forgotten"}, "status"),
        ({"version": 1, "priority": 9}, "priority"),
        ({"status": "unmet"}, "version"),
    ],
)
def test_an_invalid_change_answers_422_naming_the_field(api_as, body, field):
    member = make_member(Role.AE)
    need = capture_need(make_journey(owner=member), "Single sign-on", by=None)
    response = api_as(member).patch(f"/needs/{need.pk}", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_an_unchanged_need_answers_422_with_a_message(api_as):
    member = make_member(Role.AE)
    need = capture_need(make_journey(owner=member), "Single sign-on", by=None)
    response = api_as(member).patch(f"/needs/{need.pk}", {"version": 1})
    assert response.status_code == 422
    assert response.json()["detail"] == "Nothing changed."


def test_need_pages_return_every_need_once_in_bounded_queries(
    api_as, django_assert_max_num_queries
):
    member = make_member(Role.AE)
    journey = make_journey(owner=member)
    for number in range(11):
        capture_need(journey, f"Need {number}", by=member.user, priority=number % 4 + 1)
    api = api_as(member)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"after": cursor} if cursor else {})}
        with django_assert_max_num_queries(3):
            body = api.get(f"/journeys/{journey.pk}/needs", **params).json()
        seen += [need["id"] for need in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    expected = Need.objects.order_by("priority", "id").values_list("pk", flat=True)
    assert seen == list(expected)
