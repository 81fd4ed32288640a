"""How useful each detector is: how many of its signals were acted on,
dismissed (and why), and led to a won expansion deal or a saved account.

A *won expansion*: the signal was acted on and its expansion deal is won.
A *saved account*: a risk signal acted on whose journey has not churned
since (it is still open, or closed on the acquisition side).

`usefulness` is pure maths over plain rows; `read_outcomes` is the one
reader that knows the tables. For other pages (the insights dashboards),
`usefulness_rows()` gives the same figures as plain dicts (JSON-ready)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from onethread.journeys.models import Stage
from onethread.signals.models import EXPANSION_KINDS, Signal


@dataclass(frozen=True)
class Outcome:
    detector: str
    kind: str
    status: str
    dismiss_reason: str
    deal_status: str | None
    churned: bool


@dataclass
class DetectorUsefulness:
    detector: str
    raised: int = 0
    open: int = 0
    acted: int = 0
    dismissed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    won_expansions: int = 0
    saved_accounts: int = 0

    @property
    def reasons_by_count(self) -> list[tuple[str, int]]:
        return self.reasons.most_common()

    @property
    def acted_share(self) -> float | None:
        settled = self.acted + self.dismissed
        return self.acted / settled if settled else None


def usefulness(outcomes: Iterable[Outcome]) -> list[DetectorUsefulness]:
    by_detector: dict[str, DetectorUsefulness] = {}
    for outcome in outcomes:
        row = by_detector.setdefault(outcome.detector, DetectorUsefulness(outcome.detector))
        row.raised += 1
        if outcome.status == Signal.Status.OPEN:
            row.open += 1
        elif outcome.status == Signal.Status.DISMISSED:
            row.dismissed += 1
            row.reasons[outcome.dismiss_reason] += 1
        elif outcome.status == Signal.Status.ACTED:
            row.acted += 1
            if outcome.kind in EXPANSION_KINDS and outcome.deal_status == "won":
                row.won_expansions += 1
            if outcome.kind not in EXPANSION_KINDS and not outcome.churned:
                row.saved_accounts += 1
    return sorted(by_detector.values(), key=lambda row: row.detector)


def read_outcomes() -> Iterable[Outcome]:
    rows = Signal.objects.values_list(
        "detector",
        "kind",
        "status",
        "dismiss_reason",
        "deal__status",
        "journey__stage__kind",
        "journey__stage__side",
    )
    for detector, kind, status, reason, deal_status, stage_kind, side in rows.iterator(5000):
        churned = stage_kind == Stage.Kind.OUTCOME and side == Stage.Side.RETENTION
        yield Outcome(detector, kind, status, reason, deal_status, churned)


def as_rows(measures: Iterable[DetectorUsefulness]) -> list[dict[str, Any]]:
    """Plain dicts, one per detector: raised, open, acted, dismissed,
    acted_share (of settled signals; None when none is settled),
    dismiss_reasons ([{reason, signals}], most frequent first),
    won_expansions and saved_accounts."""
    return [
        {
            "detector": row.detector,
            "raised": row.raised,
            "open": row.open,
            "acted": row.acted,
            "dismissed": row.dismissed,
            "acted_share": row.acted_share,
            "dismiss_reasons": [
                {"reason": reason, "signals": count} for reason, count in row.reasons_by_count
            ],
            "won_expansions": row.won_expansions,
            "saved_accounts": row.saved_accounts,
        }
        for row in measures
    ]


def usefulness_rows() -> list[dict[str, Any]]:
    """Per detector, how useful its signals were, over every signal in the
    database (see as_rows for the keys)."""
    return as_rows(usefulness(read_outcomes()))
