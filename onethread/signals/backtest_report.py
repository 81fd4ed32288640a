"""The `risk_backtest` section of `onethread report`: the "no first value
after the sale" back-test over the won journeys in the database, as plain
data (or why it is absent)."""

import datetime as dt
from typing import Any

from onethread.signals.backtest import FIRST_VALUE_DAYS, Sample, backtest, why_not
from onethread.signals.backtest_records import load_won_journeys

QUESTION = (
    f"Using only what was known at the won date, how well are the won customers that "
    f"show no value within {FIRST_VALUE_DAYS} days ranked first?"
)


def risk_backtest_section(*, now: dt.datetime) -> dict[str, Any]:
    return section(load_won_journeys(now=now))


def section(sample: Sample) -> dict[str, Any]:
    reason = why_not(sample)
    if reason is not None:
        return {
            "available": False,
            "question": QUESTION,
            "won_journeys": len(sample.deals),
            "reason": reason,
            "text": f"No back-test of the first-value risk: {reason}.",
        }
    result = backtest(sample)
    better = "the model" if result.best == "model" else "the rule"
    assert sample.observed_until is not None
    return {
        "available": True,
        "question": QUESTION,
        "won_journeys": len(sample.deals),
        "first_value_days": FIRST_VALUE_DAYS,
        "observed_until": sample.observed_until.isoformat(),
        "deals": result.deals,
        "train": result.train,
        "test": result.test,
        "test_from": result.test_from.isoformat(),
        "base_rate": result.base_rate,
        "rule": {"auc": result.rule_auc, "precision_at_top_decile": result.rule_precision},
        "model": {"auc": result.model_auc, "precision_at_top_decile": result.model_precision},
        "better": result.best,
        "text": (
            f"On the {result.test} latest of {result.deals} won deals (won from "
            f"{result.test_from}), {result.base_rate:.0%} showed no value within "
            f"{FIRST_VALUE_DAYS} days. Rule (undeclared profile fields): AUC "
            f"{result.rule_auc:.3f}, precision at the top decile {result.rule_precision:.0%}; "
            f"logistic regression: AUC {result.model_auc:.3f}, precision at the top decile "
            f"{result.model_precision:.0%}. {better.capitalize()} ranks better."
        ),
    }
