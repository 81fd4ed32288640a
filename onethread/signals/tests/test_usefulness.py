"""Measured usefulness per detector, as plain data for other pages: pure
counting over outcomes, no database."""

from onethread.signals.usefulness import Outcome, as_rows, usefulness


def outcome(detector, kind, status, reason="", deal=None, churned=False) -> Outcome:
    return Outcome(detector, kind, status, reason, deal, churned)


def test_each_detector_counts_acted_dismissed_with_reasons_won_and_saved():
    rows = as_rows(
        usefulness(
            [
                outcome("cross_sell", "cross_sell", "acted", deal="won"),
                outcome("cross_sell", "cross_sell", "acted", deal="open"),
                outcome("cross_sell", "cross_sell", "dismissed", "not_now"),
                outcome("cross_sell", "cross_sell", "open"),
                outcome("silence", "silence", "acted"),
                outcome("silence", "silence", "acted", churned=True),
                outcome("silence", "silence", "dismissed", "not_mine"),
                outcome("silence", "silence", "dismissed", "not_mine"),
            ]
        )
    )

    cross_sell, silence = rows
    assert cross_sell == {
        "detector": "cross_sell",
        "raised": 4,
        "open": 1,
        "acted": 2,
        "dismissed": 1,
        "acted_share": 2 / 3,
        "dismiss_reasons": [{"reason": "not_now", "signals": 1}],
        "won_expansions": 1,
        "saved_accounts": 0,
    }
    assert (silence["saved_accounts"], silence["won_expansions"]) == (1, 0)
    assert silence["dismiss_reasons"] == [{"reason": "not_mine", "signals": 2}]
    assert silence["acted_share"] == 0.5
