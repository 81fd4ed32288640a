"""The mappings shipped for HubSpot and Salesforce, each with a small sample
export (fixtures/hubspot, fixtures/salesforce), imported end to end by the
command a user would type."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from onethread.customers.models import Account, Contact
from onethread.deals.models import Deal
from onethread.imports.tests.importing import FIXTURES, table_counts
from onethread.journeys.models import EventKind, Journey
from onethread.support.models import Ticket

pytestmark = pytest.mark.django_db

HUBSPOT = ["companies", "contacts", "deals", "tickets"]
SALESFORCE = ["Account", "Contact", "Lead", "Opportunity", "OpportunityHistory", "Case"]


def import_export(system: str, names: list[str]) -> str:
    arguments = ["import", "csv"]
    for name in names:
        arguments += ["--mapping", f"{system}/{name}"]
    arguments += [str(FIXTURES / system / f"{name}.csv") for name in names]
    out = io.StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue()


def journey(account: str) -> Journey:
    return Journey.objects.select_related("stage").get(account__name=account)


def test_a_hubspot_export_becomes_journeys_with_their_stage_history():
    output = import_export("hubspot", HUBSPOT)
    assert "Created: 4 accounts, 4 contacts, 3 deals, 4 journeys, 3 tickets" in output
    northwind = journey("Northwind Traders")
    assert (northwind.stage.key, northwind.won_at) == (
        "onboarding",
        dt.datetime(2024, 3, 15, 17, 30, tzinfo=dt.UTC),
    )
    entered = northwind.events.filter(kind=EventKind.STAGE_ENTERED).order_by("occurred_at")
    assert [event.payload["to"] for event in entered] == ["qualification", "closing", "onboarding"]
    contoso = journey("Contoso, Ltd.")
    assert (contoso.stage.key, contoso.stage_entered_at) == (
        "closing",
        dt.datetime(2024, 5, 2, 12, 0, tzinfo=dt.UTC),
    )
    assert Deal.objects.get(name="Contoso pilot").amount == 9500.50
    fabrikam = journey("Fabrikam GmbH")
    assert (fabrikam.stage.key, fabrikam.outcome_reason) == ("lost", "Chose a competitor")
    assert Deal.objects.get(name="Fabrikam licence").status == Deal.Status.LOST
    # No company id on the contact: its "Company Name" found the account.
    assert (
        Contact.objects.get(email="jonas.becker@fabrikam.example").account.name == "Fabrikam GmbH"
    )
    # A customer with a ticket and no deal: its journey opened after the sale.
    assert journey("Tailspin Toys").stage.key == "adoption"
    assert sorted(Ticket.objects.values_list("subject", "priority", "status")) == [
        ("Cannot export invoices", 2, "resolved"),
        ("SSO setup question", 3, "open"),
        ("Shipping label printing", 4, "open"),
    ]
    assert Account.objects.get(name="Northwind Traders").attributes["Lifecycle Stage"] == "customer"
    before = table_counts()
    assert "Nothing new" in import_export("hubspot", HUBSPOT)
    assert table_counts() == before


def test_a_salesforce_export_joins_leads_opportunities_and_their_history_on_one_journey():
    output = import_export("salesforce", SALESFORCE)
    assert (
        "Created: 4 accounts, 6 contacts, 2 deals, 4 journeys, 5 stage changes, 3 tickets" in output
    )
    globex = journey("Globex Corporation")
    # The lead, converted, then its opportunity's history up to the win.
    assert (globex.source, globex.opened_at) == (
        "Web",
        dt.datetime(2023, 8, 28, 7, 30, tzinfo=dt.UTC),
    )
    assert (globex.stage.key, globex.won_at) == (
        "onboarding",
        dt.datetime(2023, 12, 15, 17, 0, tzinfo=dt.UTC),
    )
    assert globex.deals.get().name == "Globex platform"
    assert globex.tickets.count() == 2
    initech = journey("Initech")  # an unconverted lead, matched to its account by website
    assert (initech.stage.key, initech.deals.get().status) == ("closing", Deal.Status.OPEN)
    assert journey("Umbrella S.A.").stage.key == "lead"
    nook = journey("Nook Inc")
    assert (nook.stage.key, nook.outcome_reason) == (
        "disqualified",
        "Closed, not converted, in Salesforce",
    )
    # The lead's person and the exported contact are one contact, matched by email.
    assert Contact.objects.filter(account__name="Globex Corporation").count() == 1
    assert (
        "Contact.csv:2: the contact 'Marge@Globex.example' matched an existing contact by email"
        in output
    )
    before = table_counts()
    assert "Nothing new" in import_export("salesforce", SALESFORCE)
    assert table_counts() == before
