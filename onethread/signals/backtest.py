"""Back-test of the "no first value after the sale" risk.

Question: at the won date, using only what was known then, how well can we
rank the won customers that will not show a first value within
FIRST_VALUE_DAYS?

- Population: won deals with at least FIRST_VALUE_DAYS of observed data
  after the won date. The data is observed until its last value event (for
  the Olist extract: 6 September 2018; in a live database, about now).
- Label: no value event (for Olist: no order item shipped by the seller)
  within FIRST_VALUE_DAYS of the won date.
- Known at the won date: the deal's profile (lead type, business type,
  behaviour profile, what the customer declared: company, GTIN, stock,
  catalogue size, monthly revenue), the journey's origin and the sales cycle
  (first contact to won). Nothing after the won date is read.
- Time split: the earliest TRAIN_SHARE of deals by won date train, the
  latest are the test set. Figures are on the test set only.
- The rule (fixed in advance, not fitted): one point per profile field not
  declared, plus the sales cycle in years as a tie-break.
- The model: scikit-learn's L2 logistic regression on one-hot profile
  fields and origin, the declared-field share and the cycle.

The same WonDeal comes from the Olist files (`load_olist`, through the
importer's reader) or from the database (`backtest_records.load_won_journeys`);
everything here is pure."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIRST_VALUE_DAYS = 60
TRAIN_SHARE = 0.7
L2_STRENGTH = 1.0  # sklearn's C, chosen before looking at the test set
MIN_DEALS = 100  # below this, or with one class only, no figures are given
PROFILE_FIELDS = ("has_company", "has_gtin", "average_stock", "catalogue_size", "revenue")
CATEGORICAL = ("lead_type", "business_type", "behaviour", "origin")


@dataclass(frozen=True)
class WonDeal:
    won_at: dt.datetime
    first_contact_at: dt.datetime | None
    lead_type: str
    business_type: str
    behaviour: str
    origin: str
    declared: frozenset[str]  # which PROFILE_FIELDS were declared
    first_value_at: dt.datetime | None  # after the won date; the label only

    @property
    def cycle_days(self) -> int:
        if self.first_contact_at is None:
            return 0
        return max((self.won_at - self.first_contact_at).days, 0)

    def never_valued(self, days: int = FIRST_VALUE_DAYS) -> bool:
        return self.first_value_at is None or self.first_value_at > self.won_at + dt.timedelta(
            days=days
        )


@dataclass(frozen=True)
class Sample:
    deals: list[WonDeal]
    observed_until: dt.datetime | None  # the last value event seen


def won_deal(
    *,
    won_at: dt.datetime,
    first_contact_at: dt.datetime | None,
    origin: str,
    details: Mapping[str, Any],
    first_value_at: dt.datetime | None,
) -> WonDeal:
    """A WonDeal from a deal's details as the Olist importer stores them."""
    profiles = details.get("lead_behaviour_profiles") or []
    return WonDeal(
        won_at=won_at,
        first_contact_at=first_contact_at,
        lead_type=str(details.get("lead_type") or ""),
        business_type=str(details.get("business_type") or ""),
        behaviour=", ".join(str(profile) for profile in profiles),
        origin=origin or "",
        declared=declared_fields(details),
        first_value_at=first_value_at,
    )


def declared_fields(details: Mapping[str, Any]) -> frozenset[str]:
    flags = {
        "has_company": details.get("has_company") is not None,
        "has_gtin": details.get("has_gtin") is not None,
        "average_stock": details.get("average_stock") not in (None, "", "unknown"),
        "catalogue_size": details.get("declared_product_catalog_size") is not None,
        "revenue": bool(details.get("declared_monthly_revenue")),
    }
    return frozenset(name for name, present in flags.items() if present)


def eligible(deals: Sequence[WonDeal], end: dt.datetime) -> list[WonDeal]:
    cutoff = end - dt.timedelta(days=FIRST_VALUE_DAYS)
    return sorted((d for d in deals if d.won_at <= cutoff), key=lambda d: d.won_at)


def time_split(deals: Sequence[WonDeal]) -> tuple[list[WonDeal], list[WonDeal]]:
    cut = int(len(deals) * TRAIN_SHARE)
    return list(deals[:cut]), list(deals[cut:])


def rule_score(deal: WonDeal) -> float:
    return (len(PROFILE_FIELDS) - len(deal.declared)) + deal.cycle_days / 365


def precision_at_top(scores: Sequence[float], labels: Sequence[bool], share: float = 0.1) -> float:
    """Share of positives among the top `share` of scores (at least one)."""
    ranked = sorted(zip(scores, labels, strict=True), key=lambda pair: -pair[0])
    top = ranked[: max(1, round(len(ranked) * share))]
    return sum(1 for _, label in top if label) / len(top)


def features(deal: WonDeal) -> dict[str, Any]:
    """What the model reads: strings are one-hot encoded by DictVectorizer."""
    return {
        "declared": len(deal.declared) / len(PROFILE_FIELDS),
        "cycle": min(deal.cycle_days, 365) / 365,
    } | {field: getattr(deal, field) for field in CATEGORICAL}


def fit_model(train: Sequence[WonDeal]) -> Any:
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]

    model = make_pipeline(
        DictVectorizer(sparse=False), LogisticRegression(C=L2_STRENGTH, max_iter=1000)
    )
    model.fit([features(deal) for deal in train], [deal.never_valued() for deal in train])
    return model


@dataclass(frozen=True)
class BacktestResult:
    deals: int
    train: int
    test: int
    test_from: dt.date
    base_rate: float  # share of test deals that never showed value
    rule_auc: float
    rule_precision: float
    model_auc: float
    model_precision: float

    @property
    def best(self) -> str:
        return "model" if self.model_auc > self.rule_auc else "rule"


def why_not(sample: Sample) -> str | None:
    """Why no back-test can be made on this sample, or None when it can."""
    if sample.observed_until is None:
        return "no value event is recorded, so no outcome is known"
    population = eligible(sample.deals, sample.observed_until)
    if len(population) < MIN_DEALS:
        return (
            f"{len(population)} won deal(s) with {FIRST_VALUE_DAYS} days of observed data "
            f"after the win; at least {MIN_DEALS} are needed"
        )
    train, test = time_split(population)
    for part, name in ((train, "training"), (test, "test")):
        if len({deal.never_valued() for deal in part}) < 2:
            return f"every deal of the {name} set has the same outcome"
    return None


def backtest(sample: Sample) -> BacktestResult:
    """The figures on the test set; call why_not first (it must be None)."""
    from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

    assert sample.observed_until is not None
    train, test = time_split(eligible(sample.deals, sample.observed_until))
    labels = [deal.never_valued() for deal in test]
    rule = [rule_score(deal) for deal in test]
    model = list(fit_model(train).predict_proba([features(deal) for deal in test])[:, 1])
    return BacktestResult(
        deals=len(train) + len(test),
        train=len(train),
        test=len(test),
        test_from=test[0].won_at.date(),
        base_rate=sum(labels) / len(labels),
        rule_auc=float(roc_auc_score(labels, rule)),
        rule_precision=precision_at_top(rule, labels),
        model_auc=float(roc_auc_score(labels, model)),
        model_precision=precision_at_top(model, labels),
    )


def load_olist(folder: Path) -> Sample:
    """Won deals from the Olist files, read by the importer's reader (so the
    same rules apply as to imported data), with each seller's first sale."""
    from onethread.imports.olist import day_start
    from onethread.imports.olist_files import read_olist
    from onethread.imports.report import ImportReport

    report = ImportReport(source="olist")
    data = read_olist(folder, report)
    if report.errors:
        raise ValueError(f"the Olist files have refused rows: {report.errors[0]}")
    sales: dict[str, list[dt.datetime]] = {}
    for item in data.order_items:
        sales.setdefault(item.seller_id, []).append(item.shipped_by)
    last = max((moment for moments in sales.values() for moment in moments), default=None)
    contacts = {mql.mql_id: mql for mql in data.mqls}
    deals = []
    for deal in data.deals:
        mql = contacts[deal.mql_id]
        after = [moment for moment in sales.get(deal.seller_id, []) if moment >= deal.won_at]
        deals.append(
            won_deal(
                won_at=deal.won_at,
                first_contact_at=day_start(mql.first_contact),
                origin=mql.origin,
                details=deal.details,
                first_value_at=min(after) if after else None,
            )
        )
    return Sample(deals=deals, observed_until=last)
