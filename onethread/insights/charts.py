"""Inline SVG charts (no JavaScript, no network): horizontal bar charts and a
scatter plot, each with a title and text alternatives for screen readers."""

from collections.abc import Sequence
from html import escape

WIDTH = 640
BAR = 22
GAP = 8
LABEL = 170
COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5")


def bars(
    title: str,
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[str],
    *,
    unit: str = "",
    percent: bool = False,
) -> str:
    """Grouped horizontal bars: one group per row, one bar per series."""
    values = [v for _, vs in rows for v in vs if v is not None]
    top = max(values, default=0) or 1
    per_row = len(series) * BAR + GAP
    height = 30 + len(rows) * per_row + 24
    plot = WIDTH - LABEL - 90
    parts = [
        f'<svg class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, name in enumerate(series):
        x = LABEL + index * 150
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
    y = 30
    for label, vs in rows:
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + BAR - 6}" font-size="12" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for index, value in enumerate(vs):
            width = 0 if value is None else max(value / top * plot, 1 if value else 0)
            text = "n/a" if value is None else (f"{value:.0%}" if percent else f"{value:,.1f}")
            text = text.removesuffix(".0") + (f" {unit}" if unit and value is not None else "")
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<rect class="bar" x="{LABEL}" y="{y}" width="{width:.1f}" '
                f'height="{BAR - 4}" fill="{colour}"><title>{escape(label)}, '
                f"{escape(series[index])}: {escape(text)}</title></rect>"
            )
            parts.append(
                f'<text x="{LABEL + width + 4:.1f}" y="{y + BAR - 8}" font-size="11">'
                f"{escape(text)}</text>"
            )
            y += BAR
        y += GAP
    parts.append("</svg>")
    return "".join(parts)


def scatter(
    title: str, points: Sequence[tuple[str, float, float]], x_label: str, y_label: str
) -> str:
    """One dot per (label, x, y); y is a share 0..1."""
    height, left, bottom = 300, 60, 40
    plot_w, plot_h = WIDTH - left - 20, height - bottom - 20
    top_x = max((x for _, x, _ in points), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{20 + plot_h}" x2="{left + plot_w}" y2="{20 + plot_h}" '
        'stroke="#333"/>',
        f'<line x1="{left}" y1="20" x2="{left}" y2="{20 + plot_h}" stroke="#333"/>',
        f'<text x="{left + plot_w / 2}" y="{height - 8}" font-size="12" '
        f'text-anchor="middle">{escape(x_label)}</text>',
        f'<text x="14" y="{20 + plot_h / 2}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 14 {20 + plot_h / 2})">{escape(y_label)}</text>',
    ]
    for label, x, y in points:
        cx = left + x / top_x * plot_w
        cy = 20 + plot_h - max(min(y, 1), 0) * plot_h
        parts.append(
            f'<circle class="dot" cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{COLOURS[0]}" '
            f'fill-opacity="0.7"><title>{escape(label)}: {x:g}, {y:.0%}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)
