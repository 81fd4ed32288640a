import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from onethread.imports.matching import (
    AccountMatcher,
    ContactMatcher,
    normalise_domain,
    normalise_name,
)
from onethread.imports.values import (
    BadValue,
    DateFormat,
    check_date_format,
    map_key,
    moment_reader,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_moment,
    time_zone,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def formats(*patterns: str) -> tuple[DateFormat, ...]:
    return tuple(DateFormat.parse(pattern) for pattern in patterns)


def test_a_naive_time_is_read_in_the_mappings_time_zone():
    moment = parse_moment("2024-07-01 10:30", formats("%Y-%m-%d %H:%M"), PARIS)
    assert moment.at == dt.datetime(2024, 7, 1, 8, 30, tzinfo=dt.UTC)
    assert moment.precise


def test_a_time_with_an_offset_keeps_it():
    moment = parse_moment("2024-03-01T09:30:00.000Z", formats("iso"), PARIS)
    assert moment.at == dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)


def test_a_date_without_a_time_is_the_start_of_the_day_and_says_it_is_imprecise():
    for allowed in (formats("%Y-%m-%d %H:%M", "%d/%m/%Y"), formats("iso")):
        text = "05/03/2024" if len(allowed) == 2 else "2024-03-05"
        moment = parse_moment(text, allowed, PARIS)
        assert moment.at == dt.datetime(2024, 3, 5, tzinfo=PARIS)
        assert not moment.precise


def test_each_allowed_format_is_tried_in_turn_and_a_miss_names_them_all():
    allowed = formats("%d/%m/%Y %H:%M", "%Y-%m-%d")
    assert parse_moment("2024-03-05", allowed, dt.UTC).at.day == 5
    with pytest.raises(BadValue, match=r"allowed formats \(%d/%m/%Y %H:%M, %Y-%m-%d\)"):
        parse_moment("31/02/2024 10:00", allowed, dt.UTC)


def test_the_fast_reader_agrees_with_the_general_one_and_still_refuses_bad_dates():
    allowed = formats("%Y-%m-%d %H:%M:%S", "%d.%m.%Y")
    read = moment_reader(allowed, PARIS)
    for text in ("2024-01-31 23:59:59", "2024-7-1 8:05:00", "01.02.2024"):
        assert read(text) == parse_moment(text, allowed, PARIS)
    for text in ("2024-02-30 10:00:00", "2024-01-31T23:59:59", "soon"):
        with pytest.raises(BadValue):
            read(text)


def test_a_date_field_takes_the_day_in_the_mappings_time_zone():
    # 23:30 UTC on 1 March is already 2 March in Paris.
    assert parse_date("2024-03-01T23:30:00Z", formats("iso"), PARIS) == dt.date(2024, 3, 2)


def test_date_formats_are_checked():
    assert check_date_format("%Y-%m-%d") is None
    assert check_date_format("iso") is None
    assert "not a date format" in (check_date_format("YYYY-MM-DD") or "")


def test_time_zones_by_name():
    assert time_zone("utc") is dt.UTC
    assert time_zone("America/Sao_Paulo") == zoneinfo.ZoneInfo("America/Sao_Paulo")
    with pytest.raises(BadValue, match="unknown time zone"):
        time_zone("Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "separator", "number"),
    [
        ("1234.5", ".", Decimal("1234.5")),
        ("1,234.50", ".", Decimal("1234.50")),
        ("1.234,50", ",", Decimal("1234.50")),
        ("1 234,5", ",", Decimal("1234.5")),
        ("1\u00a0234\u00a0567", ".", Decimal("1234567")),
        ("-12", ".", Decimal("-12")),
        ("0,75", ",", Decimal("0.75")),
    ],
)
def test_numbers_with_either_decimal_separator(text, separator, number):
    assert parse_decimal(text, separator) == number


@pytest.mark.parametrize(
    ("text", "separator"), [("1,5", "."), ("1.5", ","), ("12,34,5", "."), ("€12", "."), ("", ".")]
)
def test_numbers_that_could_be_misread_are_refused(text, separator):
    with pytest.raises(BadValue, match="not a number"):
        parse_decimal(text, separator)


def test_whole_numbers_and_flags():
    assert parse_int("1,200") == 1200
    with pytest.raises(BadValue, match="whole number"):
        parse_int("12.5")
    assert parse_bool(" Yes ") is True
    assert parse_bool("FALSE") is False
    with pytest.raises(BadValue):
        parse_bool("maybe")


def test_value_map_keys_ignore_case_and_spacing():
    assert map_key("  Closed   WON ") == map_key("closed won") == "closed won"


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("ACME, Inc.", "acme"),
        ("Acme Incorporated", "acme"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Société Générale S.A.", "societe generale"),
        ("Philips B.V.", "philips"),
        ("Tesco PLC", "tesco"),
        ("Ltd", "ltd"),  # a name that is only a legal form stays itself
        ("SA Recycling", "sa recycling"),  # legal forms go only from the end
    ],
)
def test_company_names_are_compared_without_case_accents_punctuation_or_legal_form(
    name, normalised
):
    assert normalise_name(name) == normalised


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("https://www.Acme.com/about", "acme.com"),
        ("acme.com", "acme.com"),
        ("WWW.acme.co.uk.", "acme.co.uk"),
        ("http://shop.acme.com:8080", "shop.acme.com"),
        ("n/a", ""),
        ("", ""),
    ],
)
def test_domains_from_websites(value, domain):
    assert normalise_domain(value) == domain


def test_accounts_match_by_domain_before_name_and_the_oldest_wins():
    matcher = AccountMatcher.of(
        [(1, "Acme", "acme.com"), (2, "Acme Holdings", "acme-holdings.com"), (3, "ACME Inc", "")]
    )
    assert matcher.find("Acme Holdings Ltd", "https://acme.com") == (1, "domain")
    assert matcher.find("Acme Holdings Ltd", "") == (2, "name")
    assert matcher.find("acme", "") == (1, "name")
    assert matcher.find("Initech", "initech.com") is None


def test_contacts_match_by_email_whatever_its_case():
    matcher = ContactMatcher.of([(7, "Ana@Example.com"), (8, "")])
    assert matcher.find(" ana@example.COM ") == 7
    assert matcher.find("") is None
