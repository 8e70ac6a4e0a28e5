"""Small inline SVG charts for static pages: no script, labels escaped, named for screen readers.

Each chart is drawn in its own coordinates (a viewBox) and scales to the width of its box, so the
same markup fits a 390 px phone and a desktop column; text sizes are chosen for that range. Every
value is also said in words: the chart's title (and each bar's), so nothing is only a picture."""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as _escape

WIDTH = 640
SERIES_COLOURS = ("#0b57a4", "#1e7a46", "#b45309", "#6b3fa0", "#5b6775")
INK, MUTED, GRID, TRACK, AREA = "#1d2733", "#5b6775", "#dde3ea", "#eef1f4", "#c8102e"


def escape(text: str) -> str:
    return _escape(text, {'"': "&quot;"})


def _svg(height: float, title: str, body: str, css_class: str) -> str:
    return (f'<svg class="{css_class}" viewBox="0 0 {WIDTH} {height:g}" width="100%" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
            f"{body}</svg>")


def _nice_top(peak: int) -> int:
    """A round top for the value axis (1, 2, 5 × a power of ten) at or above the peak."""
    if peak <= 1:
        return 1
    power = 10 ** int(math.log10(peak))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= peak)


def daily_chart(days: Sequence[tuple[str, int]], title: str) -> str:
    """An area chart of a count per day (ISO dates, oldest first), the axis labelled with the first,
    middle and last day and the round top value."""
    height, left, right, top, bottom = 200, 44, 12, 14, 30
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    peak = _nice_top(max((n for _, n in days), default=0))
    step = plot_w / max(len(days) - 1, 1)

    def point(i: int, n: int) -> str:
        return f"{left + i * step:.1f},{top + plot_h - n / peak * plot_h:.1f}"

    line = " ".join(point(i, n) for i, (_, n) in enumerate(days))
    rules = "".join(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                    for y in (top, top + plot_h / 2, top + plot_h))
    parts = [f'<g stroke="{GRID}" stroke-width="1">{rules}</g>',
             f'<g fill="{MUTED}" font-size="15" text-anchor="end">'
             f'<text x="{left - 6}" y="{top + 5}">{peak}</text>'
             f'<text x="{left - 6}" y="{top + plot_h / 2 + 5:.1f}">{peak / 2:g}</text>'
             f'<text x="{left - 6}" y="{top + plot_h + 5}">0</text></g>']
    if days:
        base = f"{left:.1f},{top + plot_h:.1f}"
        end = f"{left + (len(days) - 1) * step:.1f},{top + plot_h:.1f}"
        parts.append(f'<polygon points="{base} {line} {end}" fill="{AREA}" fill-opacity=".12"/>'
                     f'<polyline points="{line}" fill="none" stroke="{AREA}" stroke-width="2.5" '
                     f'stroke-linejoin="round"/>')
        marks = sorted({0, len(days) // 2, len(days) - 1})
        parts.append(f'<g fill="{MUTED}" font-size="15">' + "".join(
            f'<text x="{left + i * step:.1f}" y="{height - 8}" text-anchor="{_anchor(i, len(days))}">'
            f"{escape(days[i][0][5:])}</text>" for i in marks) + "</g>")
    return _svg(height, title, "".join(parts), "chart daily")


def _anchor(index: int, count: int) -> str:
    if index == 0:
        return "start"
    return "end" if index == count - 1 else "middle"


@dataclass(frozen=True)
class Bar:
    """One unit of a bar chart: its name, a rate per series (None: no base), and what a screen
    reader says for it."""

    label: str
    values: Sequence[float | None]
    spoken: str = ""


def percent(value: float | None, none: str = "—") -> str:
    return none if value is None else f"{value * 100:.1f}%"


def rate_bars(bars: Sequence[Bar], series: Sequence[str], title: str, none: str = "—") -> str:
    """Horizontal bars from 0 to 100 %, one group per unit (its name above), one bar per series,
    the value written at the bar's end; a legend names the series."""
    label_h, bar_h, gap, group_gap, legend_h, value_w = 22, 10, 3, 12, 30, 64
    track_w = WIDTH - value_w
    group_h = label_h + len(series) * (bar_h + gap) + group_gap
    height = legend_h + len(bars) * group_h
    legend = "".join(
        f'<rect x="{i * 150}" y="6" width="14" height="14" rx="2" fill="{SERIES_COLOURS[i]}"/>'
        f'<text x="{i * 150 + 20}" y="18">{escape(name)}</text>' for i, name in enumerate(series))
    parts = [f'<g font-size="15" fill="{INK}">{legend}</g>']
    for row, bar in enumerate(bars):
        y = legend_h + row * group_h
        spoken = f"<title>{escape(bar.spoken)}</title>" if bar.spoken else ""
        group = [f'<text x="0" y="{y + 16}" font-size="16" fill="{INK}">{escape(_clip(bar.label))}</text>']
        for i, value in enumerate(bar.values):
            by = y + label_h + i * (bar_h + gap)
            group.append(f'<rect x="0" y="{by}" width="{track_w}" height="{bar_h}" fill="{TRACK}"/>')
            if value:
                group.append(f'<rect x="0" y="{by}" width="{track_w * min(max(value, 0), 1):.1f}" '
                             f'height="{bar_h}" fill="{SERIES_COLOURS[i % len(SERIES_COLOURS)]}"/>')
            group.append(f'<text x="{WIDTH}" y="{by + bar_h - 0.5}" font-size="13" text-anchor="end" '
                         f'fill="{MUTED}">{escape(percent(value, none))}</text>')
        parts.append(f"<g>{spoken}{''.join(group)}</g>")
    return _svg(height, title, "".join(parts), "chart bars")


def _clip(label: str, limit: int = 68) -> str:
    """A name that fits one line of the chart, counting a wide (CJK) character as two narrow ones
    (the table beside the chart has the name whole)."""
    used = 0
    for i, char in enumerate(label):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > limit:
            return label[:i - 1] + "…"
    return label
