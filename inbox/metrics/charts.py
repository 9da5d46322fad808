"""Server-side SVG charts for the dashboard: no script, no chart library, no
CDN. Each chart is an ``<svg role="img">`` named by its ``<title>`` and
described by its ``<desc>`` (which points at the table holding the same
figures); every bar has a ``<title>`` with its exact value (a tooltip)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 230
LEFT, RIGHT, TOP, BOTTOM = 60, 14, 14, 44
BAR = "#3d6fa8"
MARK = "#1b1f24"
GRID = "#e3e6ea"
# One colour a channel (the backlog), distinguishable in grey too.
PALETTE = ("#1f3a5f", "#3d6fa8", "#7fa7d4", "#f5a623", "#b05b00", "#6b8e23", "#999999")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (a gap)
    mark: float | None = None  # a second value drawn as a tick (the p90)
    tip: str = ""


def duration_unit(largest: float) -> tuple[float, str]:
    """(seconds per unit, unit name) for an axis whose largest value is ``largest`` seconds."""
    if largest < 2 * 3600:
        return 60.0, "min"
    if largest < 72 * 3600:
        return 3600.0, "h"
    return 86400.0, "d"


def nice_ceiling(value: float) -> float:
    """The top of an axis of four equal steps, each 1, 2, 2.5, 3, 4, 5, 6 or 8
    times a power of ten, at least ``value`` (so its ticks read 0, 6, 12,
    18, 24 rather than 0, 6.25, 12.5 ...)."""
    if value <= 0:
        return 1.0
    step = value / 4
    power = 10 ** math.floor(math.log10(step))
    for nice in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if nice * power >= step:
            return 4 * nice * power
    return 40 * power


def _number(value: float) -> str:
    return f"{value:g}" if value < 10 else f"{value:,.0f}"


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], *,
              durations: bool = True, value_name: str = "median",
              mark_name: str = "") -> Markup:
    """Vertical bars (``value``) with optional ticks (``mark``). Durations are
    seconds, drawn in minutes, hours or days as the largest value suits."""
    values = [v for b in bars for v in (b.value, b.mark) if v is not None]
    largest = max(values, default=0.0)
    scale, unit = duration_unit(largest) if durations else (1.0, "")
    top = nice_ceiling(largest / scale) if values else 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" aria-labelledby="{chart_id}-t {chart_id}-d" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">{escape(desc)}</desc>']
    for n in range(5):  # grid and y axis labels
        y = TOP + plot_h - plot_h * n / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#555">{escape(_number(top * n / 4))}{" " + unit if unit else ""}'
                     '</text>')
    if not bars or not values:
        parts.append(f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle"'
                     ' font-size="13" fill="#555">No data in this range</text>')
    slot = plot_w / max(1, len(bars))
    every = max(1, math.ceil(len(bars) / 12))
    for n, bar in enumerate(bars):
        x = LEFT + n * slot
        tip = escape(bar.tip or bar.label)
        if bar.value is not None:
            h = plot_h * (bar.value / scale) / top
            parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" '
                         f'width="{slot * 0.7:.1f}" height="{max(h, 0.5):.1f}" fill="{BAR}">'
                         f'<title>{tip}</title></rect>')
        if bar.mark is not None:
            y = TOP + plot_h - plot_h * (bar.mark / scale) / top
            parts.append(f'<line x1="{x + slot * 0.1:.1f}" x2="{x + slot * 0.9:.1f}" '
                         f'y1="{y:.1f}" y2="{y:.1f}" stroke="{MARK}" stroke-width="2">'
                         f'<title>{tip}</title></line>')
        if n % every == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle" font-size="11" fill="#333">'
                         f'{escape(bar.label)}</text>')
    legend_y = HEIGHT - 8
    parts.append(f'<rect x="{LEFT}" y="{legend_y - 9}" width="10" height="10" fill="{BAR}"/>'
                 f'<text x="{LEFT + 14}" y="{legend_y}" font-size="11">{escape(value_name)}</text>')
    if mark_name:
        parts.append(f'<line x1="{LEFT + 70}" x2="{LEFT + 84}" y1="{legend_y - 4}" '
                     f'y2="{legend_y - 4}" stroke="{MARK}" stroke-width="2"/>'
                     f'<text x="{LEFT + 88}" y="{legend_y}" font-size="11">'
                     f'{escape(mark_name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def stacked_chart(chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, Sequence[int]]],
                  series: Sequence[str], tip: Callable[[str, str, int], str]) -> Markup:
    """Horizontal bars, one a row, split by series (the backlog: age × channel)."""
    row_h, gap, label_w, top = 26, 8, 110, 34
    height = top + len(rows) * (row_h + gap) + 6
    plot_w = WIDTH - label_w - 60
    largest = max((sum(values) for _, values in rows), default=0) or 1
    parts = [f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">{escape(desc)}</desc>']
    x = label_w
    for n, name in enumerate(series):  # legend
        colour = PALETTE[n % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="17" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    for r, (label, values) in enumerate(rows):
        y = top + r * (row_h + gap)
        parts.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4}" text-anchor="end" '
                     f'font-size="12">{escape(label)}</text>')
        x0 = float(label_w)
        for n, value in enumerate(values):
            if not value:
                continue
            w = plot_w * value / largest
            parts.append(f'<rect x="{x0:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" '
                         f'fill="{PALETTE[n % len(PALETTE)]}"><title>'
                         f'{escape(tip(label, series[n], value))}</title></rect>')
            x0 += w
        parts.append(f'<text x="{x0 + 6:.1f}" y="{y + row_h / 2 + 4}" font-size="12">'
                     f'{sum(values):,}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
