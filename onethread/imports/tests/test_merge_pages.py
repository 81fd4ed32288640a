import pytest
from django.urls import reverse

from onethread.customers.models import Account, Contact
from onethread.customers.services import add_contact
from onethread.journeys.models import EventKind, JourneyEvent
from onethread.journeys.services import move_stage
from onethread.needs.services import capture_need
from onethread.team.models import Role
from tests.builders import PASSWORD, make_journey, make_member, stage

pytestmark = pytest.mark.django_db


def login(client, member):
    assert client.login(username=member.user.username, password=PASSWORD)


def duplicates(sdr, needs=1):
    """Globex (open) and Globex Inc. (lost), each with its own story."""
    kept = make_journey(owner=sdr, name="Globex", stage_key="qualification")
    capture_need(kept, "Carrier costs per shipment", by=sdr.user)
    removed = make_journey(owner=sdr, name="Globex Inc.")
    for n in range(needs):
        capture_need(removed, f"Reporting across sites {n}", by=sdr.user)
    add_contact(removed.account, "Dana Scully", by=sdr.user)
    move_stage(removed, stage("lost"), by=sdr.user, reason="No budget this year")
    return kept, removed


def test_a_manager_finds_the_duplicate_by_name_confirms_and_sees_one_timeline(client):
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    login(client, make_member(Role.MANAGER, team=sdr.team))

    found = client.get(reverse("merge-accounts", args=[kept.account_id]), {"q": "globex"})
    confirm_url = reverse("merge-accounts-confirm", args=[kept.account_id, removed.account_id])
    assert confirm_url in found.content.decode()
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "Merge Globex Inc. into Globex?" in page.content.decode()

    response = client.post(
        confirm_url,
        {"keep_version": kept.account.version, "remove_version": removed.account.version},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account-thread", args=[kept.account_id])
    assert not Account.objects.filter(pk=removed.account_id).exists()
    html = client.get(response["Location"]).content.decode()
    assert '<span class="stage-pill stage-qualification">' in html  # the open journey leads
    assert "Account <strong>Globex Inc.</strong> merged into this one" in html
    assert "Reporting across sites 0" in html  # an event of the merged-in journey
    assert "Carrier costs per shipment" in html  # and one of the kept journey


def test_the_account_page_offers_merging_to_admins_and_managers_only(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr)
    url = reverse("account-thread", args=[journey.account_id])
    merge = reverse("merge-accounts", args=[journey.account_id])
    login(client, sdr)
    assert merge not in client.get(url).content.decode()
    client.logout()
    login(client, make_member(Role.MANAGER, team=sdr.team))
    assert merge in client.get(url).content.decode()


def test_others_are_refused_and_accounts_out_of_sight_are_not_found(client):
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    confirm_url = reverse("merge-accounts-confirm", args=[kept.account_id, removed.account_id])
    login(client, sdr)
    assert client.get(reverse("merge-accounts", args=[kept.account_id])).status_code == 403
    assert client.post(confirm_url, {"keep_version": 1, "remove_version": 1}).status_code == 403
    client.logout()
    login(client, make_member(Role.MANAGER))  # of another team
    assert client.get(confirm_url).status_code == 404
    assert Account.objects.filter(pk=removed.account_id).exists()


def test_two_open_journeys_are_refused_with_the_reason(client):
    sdr = make_member(Role.SDR)
    first = make_journey(owner=sdr, name="Globex", stage_key="qualification")
    second = make_journey(owner=sdr, name="Globex Inc.")
    login(client, make_member(Role.ADMIN))
    url = reverse("merge-accounts-confirm", args=[first.account_id, second.account_id])
    page = client.get(url).content.decode()
    assert "Both accounts have an open journey" in page
    assert "disabled" in page
    response = client.post(url, {"keep_version": 1, "remove_version": 1})
    assert response.status_code == 422
    assert Account.objects.filter(pk=second.account_id).exists()


def test_a_merge_confirmed_on_a_stale_page_answers_409(client):
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr)
    login(client, make_member(Role.ADMIN))
    url = reverse("merge-accounts-confirm", args=[kept.account_id, removed.account_id])
    response = client.post(url, {"keep_version": kept.account.version + 5, "remove_version": 1})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()


def test_the_merge_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    sdr = make_member(Role.SDR)
    small_kept, small_removed = duplicates(sdr, needs=1)
    large_kept, large_removed = duplicates(sdr, needs=15)
    login(client, make_member(Role.MANAGER, team=sdr.team))
    counts = []
    for kept, removed in ((small_kept, small_removed), (large_kept, large_removed)):
        with django_assert_max_num_queries(20) as confirm:
            client.get(
                reverse("merge-accounts-confirm", args=[kept.account_id, removed.account_id])
            )
        with django_assert_max_num_queries(20) as search:
            client.get(reverse("merge-accounts", args=[kept.account_id]), {"q": "Globex"})
        counts.append((len(confirm.captured_queries), len(search.captured_queries)))
    assert counts[0] == counts[1]


def test_the_account_timeline_covers_every_journey_in_bounded_queries(
    client, django_assert_max_num_queries
):
    sdr = make_member(Role.SDR)
    kept, removed = duplicates(sdr, needs=2)
    login(client, make_member(Role.ADMIN))
    client.post(
        reverse("merge-accounts-confirm", args=[kept.account_id, removed.account_id]),
        {"keep_version": kept.account.version, "remove_version": removed.account.version},
    )
    with django_assert_max_num_queries(40):
        html = client.get(reverse("account-thread", args=[kept.account_id])).content.decode()
    assert (
        html.count('class="event kind-')
        == JourneyEvent.objects.filter(journey__account_id=kept.account_id).count()
    )
    filtered = client.get(
        reverse("timeline", args=[kept.pk]), {"kind": EventKind.NEED_CAPTURED}
    ).content.decode()
    assert "Reporting across sites 1" in filtered
    assert "Carrier costs per shipment" in filtered


def test_contacts_are_merged_from_the_suggested_pairs(client):
    sdr = make_member(Role.SDR)
    journey = make_journey(owner=sdr, name="Globex")
    dana = add_contact(journey.account, "Dana Scully", by=sdr.user, email="dana@globex.test")
    twin = add_contact(
        journey.account, "Dana S.", by=sdr.user, email="DANA@globex.test", title="CFO"
    )
    add_contact(journey.account, "Fox Mulder", by=sdr.user)
    login(client, make_member(Role.MANAGER, team=sdr.team))
    url = reverse("merge-contacts", args=[journey.account_id])
    assert url in client.get(reverse("account-thread", args=[journey.account_id])).content.decode()
    page = client.get(url).content.decode()
    assert "Merge Dana S. into Dana Scully" in page
    response = client.post(url, {"keep": dana.pk, "remove": twin.pk})
    assert response.status_code == 302
    assert list(Contact.objects.values_list("name", flat=True).order_by("name")) == [
        "Dana Scully",
        "Fox Mulder",
    ]
    assert Contact.objects.get(pk=dana.pk).title == "CFO"
    assert client.post(url, {"keep": dana.pk, "remove": dana.pk}).status_code == 422
