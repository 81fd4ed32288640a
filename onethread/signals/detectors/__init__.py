"""The registry of detectors: key → detect(scope, now). Adding a detector is
one entry here, one module or function, and its tests."""

import datetime as dt
from collections.abc import Callable

from onethread.signals.detectors import cross_sell, customers_like_this, risk, upsell
from onethread.signals.detectors.base import Candidate, Scope

Detect = Callable[[Scope, dt.datetime], list[Candidate]]

DETECTORS: dict[str, Detect] = {
    cross_sell.KEY: cross_sell.detect,
    upsell.KEY: upsell.detect,
    customers_like_this.KEY: customers_like_this.detect,
    "commitment_overdue": risk.commitments,
    "handoff_overdue": risk.handoffs,
    "silence": risk.silence,
    "repeated_discovery": risk.repeated_discovery,
    "champion_left": risk.champion_left,
    "no_first_value": risk.no_first_value,
}
