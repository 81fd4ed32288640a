"""Reading the Olist marketing-funnel data (../shared/data/olist) into plain,
validated records. Every rule for its quirks lives here; nothing here touches
the database.

Rules for the quirks (see the data's README):
- origin: an empty origin stays empty and "unknown" stays "unknown";
- first_contact_date is a date: the lead stage is entered that day, the time
  of day is unknown (payload precision "day");
- won_date is a datetime (Olist's local time, read as America/Sao_Paulo);
- a deal won before its first contact is kept as given and counted in the report;
- lead_behaviour_profile may list several profiles ("cat, wolf");
- declared_monthly_revenue 0.0 means "not declared" (None);
- has_company/has_gtin: True, False or empty (unknown);
- zip code prefixes stay text;
- shipping_limit_date is UTC-aware in the Parquet file.
"""

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from onethread.imports.files import Row, Table, UnreadableFile, open_table, undecodable
from onethread.imports.report import ImportReport, Rejected

OLIST_TIME_ZONE = zoneinfo.ZoneInfo("America/Sao_Paulo")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")

FILES = {
    "mqls": "olist_marketing_qualified_leads_dataset.csv",
    "deals": "olist_closed_deals_dataset.csv",
    "sellers": "olist_sellers_dataset.csv",
    "products": "olist_products_dataset.csv",
    "categories": "product_category_name_translation.csv",
    "order_items": "order_items.parquet",
}
REQUIRED_COLUMNS = {
    "mqls": ["mql_id", "first_contact_date", "landing_page_id", "origin"],
    "deals": [
        "mql_id",
        "seller_id",
        "sdr_id",
        "sr_id",
        "won_date",
        "business_segment",
        "lead_type",
        "lead_behaviour_profile",
        "has_company",
        "has_gtin",
        "average_stock",
        "business_type",
        "declared_product_catalog_size",
        "declared_monthly_revenue",
    ],
    "sellers": ["seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"],
    "products": ["product_id", "product_category_name"],
    "categories": ["product_category_name", "product_category_name_english"],
    "order_items": [
        "order_id",
        "order_item_id",
        "product_id",
        "seller_id",
        "shipping_limit_date",
        "price",
        "freight_value",
    ],
}


@dataclass(frozen=True)
class Mql:
    line: int
    mql_id: str
    first_contact: dt.date
    landing_page_id: str
    origin: str


@dataclass(frozen=True)
class ClosedDeal:
    line: int
    mql_id: str
    seller_id: str
    sdr_id: str
    sr_id: str
    won_at: dt.datetime
    segment: str
    details: dict[str, object]


@dataclass(frozen=True)
class Seller:
    seller_id: str
    zip_prefix: str
    city: str
    state: str


@dataclass(frozen=True)
class OrderItem:
    order_id: str
    item: int
    product_id: str
    seller_id: str
    shipped_by: dt.datetime
    price: Decimal
    freight: Decimal


@dataclass
class OlistData:
    mqls: list[Mql] = field(default_factory=list)
    deals: list[ClosedDeal] = field(default_factory=list)
    sellers: dict[str, Seller] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)  # product_id → English category
    order_items: list[OrderItem] = field(default_factory=list)


def _text(row: Row, column: str) -> str:
    value = row.values.get(column)
    if value is None:
        raise Rejected(column, None, "missing: the line ends early")
    if undecodable(value):
        raise Rejected(column, value, "bytes that are not UTF-8: the file mixes encodings")
    return value.strip()


def _hex_id(row: Row, column: str) -> str:
    value = _text(row, column)
    if not HEX_ID.match(value):
        raise Rejected(column, value, "not an Olist id (32 hexadecimal characters)")
    return value


def _date(row: Row, column: str) -> dt.date:
    value = _text(row, column)
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise Rejected(column, value, "not a date (YYYY-MM-DD)") from error


def _local_datetime(row: Row, column: str) -> dt.datetime:
    value = _text(row, column)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise Rejected(column, value, "not a date and time (YYYY-MM-DD HH:MM:SS)") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=OLIST_TIME_ZONE)


def _number(row: Row, column: str) -> Decimal | None:
    value = _text(row, column)
    if value == "":
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise Rejected(column, value, "not a number") from error
    if not number.is_finite() or number < 0:
        raise Rejected(column, value, "not a non-negative number")
    return number


def _flag(row: Row, column: str) -> bool | None:
    value = _text(row, column)
    if value not in {"True", "False", ""}:
        raise Rejected(column, value, "expected True, False or nothing")
    return {"True": True, "False": False, "": None}[value]


def _check_extra(row: Row) -> None:
    if "\0extra" in row.values:
        raise Rejected("", row.values["\0extra"], "more values than the header has columns")


def parse_mql(row: Row) -> Mql:
    _check_extra(row)
    return Mql(
        line=row.line,
        mql_id=_hex_id(row, "mql_id"),
        first_contact=_date(row, "first_contact_date"),
        landing_page_id=_text(row, "landing_page_id"),
        origin=_text(row, "origin"),
    )


def parse_deal(row: Row) -> ClosedDeal:
    _check_extra(row)
    revenue = _number(row, "declared_monthly_revenue")
    catalog = _number(row, "declared_product_catalog_size")
    profiles = [part.strip() for part in _text(row, "lead_behaviour_profile").split(",")]
    return ClosedDeal(
        line=row.line,
        mql_id=_hex_id(row, "mql_id"),
        seller_id=_hex_id(row, "seller_id"),
        sdr_id=_hex_id(row, "sdr_id"),
        sr_id=_hex_id(row, "sr_id"),
        won_at=_local_datetime(row, "won_date"),
        segment=_text(row, "business_segment"),
        details={
            "lead_type": _text(row, "lead_type") or None,
            "lead_behaviour_profiles": [profile for profile in profiles if profile],
            "business_type": _text(row, "business_type") or None,
            "has_company": _flag(row, "has_company"),
            "has_gtin": _flag(row, "has_gtin"),
            "average_stock": _text(row, "average_stock") or None,
            "declared_product_catalog_size": int(catalog) if catalog is not None else None,
            # 0.0 is how the data says "not declared".
            "declared_monthly_revenue": str(revenue) if revenue else None,
        },
    )


def parse_seller(row: Row) -> Seller:
    _check_extra(row)
    return Seller(
        seller_id=_hex_id(row, "seller_id"),
        zip_prefix=_text(row, "seller_zip_code_prefix"),
        city=_text(row, "seller_city"),
        state=_text(row, "seller_state"),
    )


def parse_order_item(row: Row) -> OrderItem:
    price, freight = _number(row, "price"), _number(row, "freight_value")
    if price is None or freight is None:
        raise Rejected("price", row.values.get("price"), "an order item needs a price and freight")
    try:
        item = int(_text(row, "order_item_id"))
    except ValueError as error:
        raise Rejected(
            "order_item_id", row.values.get("order_item_id"), "not a whole number"
        ) from error
    return OrderItem(
        order_id=_hex_id(row, "order_id"),
        item=item,
        product_id=_hex_id(row, "product_id"),
        seller_id=_hex_id(row, "seller_id"),
        shipped_by=dt.datetime.fromisoformat(_text(row, "shipping_limit_date")),
        price=price.quantize(Decimal("0.01")),
        freight=freight.quantize(Decimal("0.01")),
    )


def _table(directory: Path, key: str, report: ImportReport) -> Table | None:
    path = directory / FILES[key]
    report.files.append(path.name)
    try:
        table = open_table(path)
    except UnreadableFile as error:
        report.reject(path.name, 0, "", None, f"cannot read the file: {error}")
        return None
    missing = [column for column in REQUIRED_COLUMNS[key] if column not in table.columns]
    if missing:
        report.reject(path.name, 1, ", ".join(missing), None, "required column(s) missing")
        return None
    return table


def _rows[T](
    table: Table,
    parse: Callable[[Row], T],
    report: ImportReport,
    keep: Callable[[Row], bool] | None = None,
) -> Iterator[T]:
    for row in table.rows:
        report.rows_read += 1
        if keep is not None and not keep(row):
            continue
        try:
            yield parse(row)
        except Rejected as refused:
            report.reject(table.path.name, row.line, refused.column, refused.value, refused.reason)


def read_olist(directory: Path, report: ImportReport) -> OlistData:
    """Every file read and every row validated; refused rows go to the report."""
    data = OlistData()
    tables = {key: _table(directory, key, report) for key in FILES}
    if any(table is None for table in tables.values()):
        return data
    try:
        _read_all(tables, data, report)  # type: ignore[arg-type]
    except UnreadableFile as error:
        report.reject("", 0, "", None, f"cannot read a file to its end: {error}")
    return data


def _read_all(tables: dict[str, Table], data: OlistData, report: ImportReport) -> None:
    english = {}
    for row in tables["categories"].rows:
        report.rows_read += 1
        english[_text(row, "product_category_name")] = _text(row, "product_category_name_english")
    for row in tables["products"].rows:
        report.rows_read += 1
        category = (row.values.get("product_category_name") or "").strip()
        data.categories[(row.values.get("product_id") or "").strip()] = english.get(
            category, category
        )
    data.mqls = list(_rows(tables["mqls"], parse_mql, report))
    data.deals = list(_rows(tables["deals"], parse_deal, report))
    data.sellers = {
        seller.seller_id: seller for seller in _rows(tables["sellers"], parse_seller, report)
    }
    won_sellers = {deal.seller_id for deal in data.deals}
    # Only won sellers' items become events: the others are not parsed at all.
    data.order_items = list(
        _rows(
            tables["order_items"],
            parse_order_item,
            report,
            keep=lambda row: row.values.get("seller_id") in won_sellers,
        )
    )
    _check_references(data, report, tables)


def _check_references(data: OlistData, report: ImportReport, tables: dict[str, Table]) -> None:
    seen: dict[str, int] = {}
    for mql in data.mqls:
        if mql.mql_id in seen:
            report.reject(
                tables["mqls"].path.name,
                mql.line,
                "mql_id",
                mql.mql_id,
                f"duplicated: the same id is on line {seen[mql.mql_id]}",
            )
        seen[mql.mql_id] = mql.line
    closed: dict[str, int] = {}
    for deal in data.deals:
        if deal.mql_id not in seen:
            report.reject(
                tables["deals"].path.name, deal.line, "mql_id", deal.mql_id, "no such MQL"
            )
        if deal.mql_id in closed:
            report.reject(
                tables["deals"].path.name,
                deal.line,
                "mql_id",
                deal.mql_id,
                f"the MQL was already closed on line {closed[deal.mql_id]}",
            )
        closed[deal.mql_id] = deal.line
