"""Small inline bar charts of the handoff health trends: the geometry and the
words, computed here (pure) so the template only draws rectangles."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from onethread.handoffs.insights import MonthHealth

WIDTH = 180
HEIGHT = 44
GAP = 3


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # "Mar 2026: 80 %", also the bar's tooltip


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    latest: str  # the newest month's value, or "—"
    description: str  # what a screen reader hears instead of the picture
    width: int = WIDTH
    height: int = HEIGHT


def short_duration(value: dt.timedelta | None) -> str:
    """'45 min', '3 h 20 min', '2 d 4 h'; '—' when unknown."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)} %"


def rating(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} / 5"


def count(value: float | None) -> str:
    return "—" if value is None else str(round(value))


def bar_chart(
    title: str,
    points: Sequence[tuple[dt.date, float | None]],
    *,
    show: Callable[[float | None], str],
    ceiling: float | None = None,
) -> Chart:
    """One bar per month, scaled to `ceiling` (or the largest value); a month
    without a value gets no bar."""
    known = [value for _, value in points if value is not None]
    top = ceiling if ceiling is not None else max(known, default=0.0)
    slot = WIDTH / max(len(points), 1)
    bars = []
    for n, (month, value) in enumerate(points):
        label = f"{month:%b %Y}: {show(value)}"
        height = 0.0 if value is None or top <= 0 else max(HEIGHT * value / top, 1.0)
        bars.append(
            Bar(
                x=round(n * slot + GAP / 2, 2),
                y=round(HEIGHT - height, 2),
                width=round(slot - GAP, 2),
                height=round(height, 2),
                label=label,
            )
        )
    latest = show(points[-1][1]) if points else "—"
    description = f"{title} by month: " + "; ".join(bar.label for bar in bars)
    return Chart(title=title, bars=tuple(bars), latest=latest, description=description)


def trend_charts(months: Sequence[MonthHealth]) -> list[Chart]:
    """The four trends shown above each month-by-month table."""

    def hours(value: dt.timedelta | None) -> float | None:
        return None if value is None else value.total_seconds() / 3600

    def show_hours(value: float | None) -> str:
        return short_duration(None if value is None else dt.timedelta(hours=value))

    return [
        bar_chart("Handoffs", [(m.month, float(m.health.sent)) for m in months], show=count),
        bar_chart(
            "Acceptance rate",
            [(m.month, m.health.acceptance_rate) for m in months],
            show=percent,
            ceiling=1.0,
        ),
        bar_chart(
            "Average rating",
            [(m.month, m.health.average_rating) for m in months],
            show=rating,
            ceiling=5.0,
        ),
        bar_chart(
            "Time to accept (median)",
            [(m.month, hours(m.health.median_time_to_accept)) for m in months],
            show=show_hours,
        ),
    ]
