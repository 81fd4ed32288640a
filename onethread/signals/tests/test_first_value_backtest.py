import datetime as dt

import pytest

from onethread.imports.tests.olist_data import OLIST_DIR, needs_olist
from onethread.signals.backtest import (
    Sample,
    WonDeal,
    backtest,
    eligible,
    features,
    fit_model,
    load_olist,
    precision_at_top,
    rule_score,
    time_split,
    why_not,
)

WON = dt.datetime(2018, 3, 1, tzinfo=dt.UTC)


def deal(
    won_at=WON, declared=(), sold_after_days=None, contact_days_before=10, lead_type="online_medium"
):
    return WonDeal(
        won_at=won_at,
        first_contact_at=won_at - dt.timedelta(days=contact_days_before),
        lead_type=lead_type,
        business_type="reseller",
        behaviour="cat",
        origin="organic_search",
        declared=frozenset(declared),
        first_value_at=None
        if sold_after_days is None
        else won_at + dt.timedelta(days=sold_after_days),
    )


def test_precision_at_the_top_decile():
    scores = list(range(20))
    labels = [n >= 18 for n in scores]  # the top two are positive
    assert precision_at_top(scores, labels) == 1.0
    assert precision_at_top(scores, [not label for label in labels]) == 0.0


def test_the_label_is_no_sale_within_the_window_and_late_deals_are_left_out():
    assert deal(sold_after_days=None).never_valued()
    assert deal(sold_after_days=90).never_valued()
    assert not deal(sold_after_days=5).never_valued()
    late = deal(won_at=dt.datetime(2018, 9, 1, tzinfo=dt.UTC))
    assert eligible([late, deal()], end=dt.datetime(2018, 9, 19, tzinfo=dt.UTC)) == [deal()]


def test_the_split_is_by_time_and_the_rule_reads_only_the_profile():
    deals = [deal(won_at=WON + dt.timedelta(days=n)) for n in range(10)]
    train, test = time_split(deals)
    assert max(d.won_at for d in train) < min(d.won_at for d in test)
    assert rule_score(deal(declared={"has_gtin"})) < rule_score(deal())
    assert rule_score(deal(sold_after_days=1)) == rule_score(deal(sold_after_days=None))


def test_the_model_learns_which_profiles_never_show_value():
    train = [deal(lead_type="offline", sold_after_days=None) for _ in range(30)] + [
        deal(lead_type="online_big", sold_after_days=3) for _ in range(30)
    ]
    model = fit_model(train)
    offline, online = model.predict_proba(
        [features(deal(lead_type="offline")), features(deal(lead_type="online_big"))]
    )[:, 1]
    assert offline > 0.8 > 0.2 > online


def test_too_few_deals_or_a_single_outcome_give_no_figures_and_say_why():
    end = WON + dt.timedelta(days=200)
    assert "no value event" in str(why_not(Sample([deal()], observed_until=None)))
    assert "at least 100" in str(why_not(Sample([deal()] * 99, observed_until=end)))
    assert "same outcome" in str(why_not(Sample([deal()] * 100, observed_until=end)))
    mixed = [deal(sold_after_days=n % 2 or None) for n in range(100)]
    assert why_not(Sample(mixed, observed_until=end)) is None


@needs_olist
def test_the_backtest_on_olist_uses_a_time_split_and_reports_auc_and_precision():
    sample = load_olist(OLIST_DIR)
    assert why_not(sample) is None
    result = backtest(sample)
    assert (result.deals, result.train, result.test) == (728, 509, 219)
    assert result.test_from == dt.date(2018, 4, 27)
    for figure in (result.rule_auc, result.model_auc):
        assert 0.4 < figure < 0.8
    assert result.base_rate == pytest.approx(0.667, abs=0.001)
    assert result.rule_auc == pytest.approx(0.531, abs=0.001)
    assert result.model_auc == pytest.approx(0.586, abs=0.001)
    assert result.model_precision == pytest.approx(0.727, abs=0.001)
