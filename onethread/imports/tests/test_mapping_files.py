import datetime as dt
import tomllib
from pathlib import Path

import pytest

from onethread.imports.mapping import (
    MappingError,
    StageTarget,
    load_mapping,
    packaged_mappings,
    parse_mapping,
)

INTERACTIONS = """
system = "crm"
entity = "interaction"
id_column = "Id"

[columns]
channel = "Type"
direction = "Direction"
summary = "Notes"
occurred_at = "When"

[references]
account = "AccountId"
owner = { column = "Rep", by = "email", unknown = "leave_empty" }

[values.channel]
"Phone" = "call"
"E-mail" = "email"
"*" = "other"

[values.direction]
"" = "outbound"
"Incoming" = "inbound"

[dates]
formats = ["%d/%m/%Y %H:%M", "iso"]
time_zone = "Europe/Berlin"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(MappingError) as error:
        parse_mapping(tomllib.loads(text), "test.toml")
    return error.value.problems


def test_a_mapping_reads_into_fields_references_maps_and_date_rules():
    mapping = parse_mapping(tomllib.loads(INTERACTIONS), "test.toml")
    assert mapping.entity.name == "interaction"
    assert mapping.columns["occurred_at"] == "When"
    assert mapping.references["owner"].by == "email"
    assert mapping.references["owner"].unknown == "leave_empty"
    assert mapping.references["account"].system == "crm"
    assert mapping.values["channel"] == {"phone": "call", "e-mail": "email", "*": "other"}
    assert [form.pattern for form in mapping.formats] == ["%d/%m/%Y %H:%M", "iso"]
    assert mapping.zone.utcoffset(dt.datetime(2024, 1, 1)) == dt.timedelta(hours=1)
    assert mapping.team == "Imported from crm"
    assert mapping.required_columns() == ["Id", "Type", "Direction", "Notes", "When", "AccountId"]


def test_every_mistake_in_a_mapping_is_reported_at_once():
    found = problems(
        """
        system = "crm"
        entity = "interaction"
        colour = "blue"
        [columns]
        channel = "Type"
        mood = "Mood"
        [references]
        deal = "DealId"
        owner = { column = "Rep", by = "phone" }
        [values.channel]
        "Phone" = "telephone"
        [dates]
        formats = ["DD/MM/YYYY"]
        time_zone = "Europe/Atlantis"
        [numbers]
        decimal_separator = ";"
        """
    )
    assert found == [
        "colour: not a mapping setting (known: attributes, columns, dates, description, entity,"
        " id_column, "
        "numbers, open_journeys_in, references, stage_history, system, team, values)",
        "columns.mood: an interaction has no such field"
        " (fields: channel, direction, summary, occurred_at)",
        "columns.direction: required for an interaction; name the column that holds it",
        "columns.summary: required for an interaction; name the column that holds it",
        "columns.occurred_at: required for an interaction; name the column that holds it",
        "references.deal: an interaction cannot name a deal"
        " (it can name: account, contact, journey, owner)",
        "references.owner.by: 'phone' is not one of email, username, name",
        "references: an interaction must say which record it belongs to"
        " (references.journey or references.account)",
        "dates.formats: 'DD/MM/YYYY' is not a date format"
        " (use strptime codes like %Y-%m-%d, or 'iso')",
        "dates.time_zone: unknown time zone 'Europe/Atlantis'",
        "values.channel 'Phone': 'telephone' is not one of"
        " email, call, meeting, chat, event, other",
        'numbers.decimal_separator: "." or ","',
    ]


def test_an_unknown_entity_or_missing_system_is_said_plainly():
    assert problems('entity = "opportunity"') == [
        "system: required, give it as a string",
        "entity: 'opportunity' is not one of"
        " account, journey, deal, contact, stage_history, interaction, ticket",
    ]


def test_outcome_stages_in_value_maps_carry_their_reason():
    mapping = parse_mapping(
        tomllib.loads(
            """
            system = "crm"
            entity = "deal"
            [columns]
            name = "Name"
            created_at = "Created"
            stage = "Stage"
            [references]
            account = "AccountId"
            [values.stage]
            "Won" = "onboarding"
            "Lost" = { stage = "lost", reason = "Lost in the old CRM" }
            [stage_history]
            "Entered Won" = "onboarding"
            """
        ),
        "deals.toml",
    )
    assert mapping.values["stage"]["lost"] == StageTarget("lost", "Lost in the old CRM")
    assert mapping.history == (("Entered Won", StageTarget("onboarding")),)
    assert (
        "values.stage 'lost'",
        StageTarget("lost", "Lost in the old CRM"),
    ) in mapping.stage_targets()


def test_stage_columns_only_for_journeys_and_deals():
    found = problems(
        """
        system = "crm"
        entity = "account"
        [columns]
        name = "Name"
        [stage_history]
        "Entered Won" = "onboarding"
        """
    )
    assert found == [
        "stage_history: an account file has no stage columns (journey and deal files do)"
    ]


def test_invalid_toml_is_one_problem_with_its_position(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text('system = "crm"\nentity = \n')
    with pytest.raises(MappingError, match=r"not valid TOML: .*line 2"):
        load_mapping(path)


def test_packaged_mappings_load_by_name_and_an_unknown_name_lists_them():
    assert packaged_mappings() == [
        "hubspot/companies",
        "hubspot/contacts",
        "hubspot/deals",
        "hubspot/tickets",
        "salesforce/Account",
        "salesforce/Case",
        "salesforce/Contact",
        "salesforce/Lead",
        "salesforce/Opportunity",
        "salesforce/OpportunityHistory",
    ]
    for name in packaged_mappings():
        assert load_mapping(name).system in {"hubspot", "salesforce"}
    assert load_mapping("hubspot/deals.toml").entity.name == "deal"
    with pytest.raises(MappingError, match="packaged: hubspot/companies, "):
        load_mapping("pipedrive/deals")


def test_the_hubspot_deals_mapping_reads_both_quote_styles_of_its_stage_columns():
    history = dict(load_mapping("hubspot/deals").history)
    assert history['Date entered "Closed Won (Sales Pipeline)"'] == StageTarget("onboarding")
    assert history["Date entered 'Closed Won (Sales Pipeline)'"] == StageTarget("onboarding")
    assert history['Date entered "Closed Lost (Sales Pipeline)"'].reason == "Closed lost in HubSpot"
