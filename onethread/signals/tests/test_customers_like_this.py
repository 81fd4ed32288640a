import pytest

from onethread.customers.models import Account
from onethread.signals.detectors import customers_like_this as like
from onethread.signals.models import Signal
from onethread.signals.runner import run_detectors
from onethread.signals.tests.helpers import NOW, category, own, product
from onethread.team.models import Role
from tests.builders import make_journey, make_member


def baskets(*sets):
    return {n: frozenset(items) for n, items in enumerate(sets, start=1)}


def test_a_rule_needs_peers_support_confidence_and_lift():
    # 1 → 2 in 4 of the 5 owners of 1; 2 alone is rare elsewhere.
    group = baskets({1, 2}, {1, 2}, {1, 2}, {1, 2}, {1}, {3}, {3}, {3})
    rule = like.rules(group)[(1, 2)]
    assert (rule.peers, rule.both, rule.confidence) == (8, 4, 0.8)
    assert rule.lift == pytest.approx(0.8 / (4 / 8))


def test_no_rule_below_the_thresholds():
    assert like.rules(baskets({1, 2}, {1, 2}, {1})) == {}  # too few peers
    few_together = baskets({1, 2}, {1, 2}, {1}, {1}, {1}, {2}, {3})
    assert (1, 2) not in like.rules(few_together)  # support 2 < 3
    everyone_has_2 = baskets({1, 2}, {1, 2}, {1, 2}, {2}, {2}, {2})
    assert (1, 2) not in like.rules(everyone_has_2)  # lift 1.0


def test_suggestions_skip_what_the_account_owns_and_keep_the_strongest_rule():
    group = like.rules(baskets({1, 2}, {1, 2}, {1, 2}, {1, 2}, {1}, {3}, {3}, {3}))
    assert [rule.then for rule in like.suggestions(frozenset({1}), group)] == [2]
    assert like.suggestions(frozenset({1, 2}), group) == []
    assert like.suggestions(frozenset({3}), group) == []


def test_size_bands():
    assert [like.size_band(n) for n in (None, 10, 50, 999, 5000)] == [
        "unknown size",
        "1-49 employees",
        "50-249 employees",
        "250-999 employees",
        "1,000+ employees",
    ]


@pytest.mark.django_db
def test_an_account_lacking_what_similar_accounts_own_gets_a_signal_explained_in_words():
    csm = make_member(Role.CSM)
    core = product("Core", category("Pipeline"))
    analytics = product("Analytics", category("Reporting"))
    other = product("Field app", category("Mobile"))

    def customer(segment, employees, *products):
        journey = make_journey(owner=csm, stage_key="adoption")
        Account.objects.filter(pk=journey.account_id).update(segment=segment, employees=employees)
        own(journey, *products)
        return journey

    for _ in range(4):
        customer("Retail", 100, core, analytics)
    customer("Retail", 100, other)
    customer("Retail", 100, other)
    target = customer("Retail", 120, core)
    elsewhere = customer("Banking", 100, core)  # another segment: no peers

    run_detectors(now=NOW, detectors={like.KEY: like.detect})
    (signal,) = Signal.objects.filter(detector=like.KEY)
    assert (signal.journey_id, signal.product) == (target.pk, analytics)
    assert signal.explanation.startswith(
        "4 of the 5 Retail accounts of 50-249 employees that own Core also own Analytics"
    )
    assert signal.journey_id != elsewhere.pk
