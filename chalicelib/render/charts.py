"""Small inline SVG charts for static pages: no script, labels escaped, named for screen readers.

Each chart is drawn in its own coordinates (a viewBox) and scales to the width of its box, so the
same markup fits a 390 px phone and a desktop column; text sizes are chosen for that range. A chart
is one image to a screen reader, named by its title; its figures are in words beside it (the
daily chart's title says its total and peak, the rate charts stand beside their tables)."""
from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 400  # at 390 px wide a unit is about 0.8 px; the page caps a chart at 36rem on a desktop
SERIES_COLOURS = ("#0b57a4", "#1e7a46", "#b45309", "#6b3fa0", "#5b6775")
INK, MUTED, GRID, TRACK, AREA = "#1d2733", "#5b6775", "#dde3ea", "#eef1f4", "#c8102e"


def escape(text: str) -> str:
    """&, <, > and " as entities (html's escape: xml.sax's would load urllib.request and http.client)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _svg(height: float, title: str, body: str, css_class: str) -> str:
    return (f'<svg class="{css_class}" viewBox="0 0 {WIDTH} {height:g}" width="100%" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
            f"{body}</svg>")


def _nice_top(peak: int) -> int:
    """A round top for the value axis (1, 2, 5 × a power of ten) at or above the peak."""
    if peak <= 1:
        return 1
    power = int(10 ** int(math.log10(peak)))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= peak)


def daily_chart(days: Sequence[tuple[str, int]], title: str) -> str:
    """An area chart of a count per day (ISO dates, oldest first), the axis labelled with the first,
    middle and last day and the round top value."""
    height, left, right, top, bottom = 160, 30, 6, 10, 24
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    peak = _nice_top(max((n for _, n in days), default=0))
    step = plot_w / max(len(days) - 1, 1)

    def point(i: int, n: int) -> str:
        return f"{left + i * step:.0f},{top + plot_h - n / peak * plot_h:.0f}"

    line = " ".join(point(i, n) for i, (_, n) in enumerate(days))
    rules = "".join(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                    for y in (top, top + plot_h / 2, top + plot_h))
    parts = [f'<g stroke="{GRID}" stroke-width="1">{rules}</g>',
             f'<g fill="{MUTED}" font-size="13" text-anchor="end">'
             f'<text x="{left - 5}" y="{top + 4}">{peak}</text>'
             f'<text x="{left - 5}" y="{top + plot_h / 2 + 4:.1f}">{peak / 2:g}</text>'
             f'<text x="{left - 5}" y="{top + plot_h + 4}">0</text></g>']
    if days:
        base = f"{left:.1f},{top + plot_h:.1f}"
        end = f"{left + (len(days) - 1) * step:.1f},{top + plot_h:.1f}"
        parts.append(f'<polygon points="{base} {line} {end}" fill="{AREA}" fill-opacity=".12"/>'
                     f'<polyline points="{line}" fill="none" stroke="{AREA}" stroke-width="2" '
                     f'stroke-linejoin="round"/>')
        marks = sorted({0, len(days) // 2, len(days) - 1})
        parts.append(f'<g fill="{MUTED}" font-size="13">' + "".join(
            f'<text x="{left + i * step:.1f}" y="{height - 6}" text-anchor="{_anchor(i, len(days))}">'
            f"{escape(days[i][0][5:])}</text>" for i in marks) + "</g>")
    return _svg(height, title, "".join(parts), "chart daily")


def _anchor(index: int, count: int) -> str:
    if index == 0:
        return "start"
    return "end" if index == count - 1 else "middle"


@dataclass(frozen=True)
class Bar:
    """One unit of a bar chart: its name and a rate per series (None: no base)."""

    label: str
    values: Sequence[float | None]


def rate_bars(bars: Sequence[Bar], series: Sequence[str], title: str) -> str:
    """Horizontal bars from 0 to 100 % on a grey track, one group per unit (its name above), one
    bar per series; a legend names the series. The figures themselves are in the table the chart
    stands beside (a page may carry fifteen departments' bars: shapes that look alike share one
    group's attributes, and no number is written twice)."""
    label_h, bar_h, gap, group_gap, legend_h = 21, 12, 3, 10, 28
    track_w = WIDTH
    group_h = label_h + len(series) * (bar_h + gap) + group_gap
    height = legend_h + len(bars) * group_h

    def bar_y(row: int, i: int) -> int:
        return legend_h + row * group_h + label_h + i * (bar_h + gap)

    legend = "".join(
        f'<rect x="{i * 125}" y="5" width="13" height="13" rx="2" fill="{SERIES_COLOURS[i % len(SERIES_COLOURS)]}"/>'
        f'<text x="{i * 125 + 18}" y="16">{escape(name)}</text>' for i, name in enumerate(series))
    labels = "".join(f'<text y="{legend_h + row * group_h + 15}">{escape(_clip(bar.label))}</text>'
                     for row, bar in enumerate(bars))
    tracks = "".join(f"M0 {bar_y(row, i)}h{track_w}v{bar_h}H0z" for row, bar in enumerate(bars)
                     for i in range(len(bar.values)))
    filled = "".join(
        f'<path fill="{SERIES_COLOURS[i % len(SERIES_COLOURS)]}" d="'
        + "".join(f"M0 {bar_y(row, i)}h{track_w * min(max(bar.values[i] or 0, 0), 1):.1f}v{bar_h}H0z"
                  for row, bar in enumerate(bars) if i < len(bar.values) and bar.values[i])
        + '"/>' for i in range(len(series)))
    body = (f'<g font-size="14" fill="{INK}">{legend}</g><g font-size="15" fill="{INK}">{labels}</g>'
            f'<path fill="{TRACK}" d="{tracks}"/>{filled}')
    return _svg(height, title, body, "chart bars")


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _clip(label: str, limit: int = 50) -> str:
    """A name that fits one line of the chart, counting a wide (CJK) character as two narrow ones;
    a longer one keeps its start and its end, where names differ ("… Bureau No. 5"). The table
    beside the chart has the name whole."""
    if sum(map(_width, label)) <= limit:
        return label
    head, tail, room = "", "", limit - 1
    for char in label:
        if sum(map(_width, head + char)) > room * 2 // 3:
            break
        head += char
    if " " in head and label[len(head)] != " ":
        head = head[:head.rfind(" ")]  # a whole word, where words are spaced
    for char in reversed(label):
        if sum(map(_width, head + tail + char)) > room:
            break
        tail = char + tail
    if " " in tail and label[-len(tail) - 1] != " ":
        tail = tail[tail.find(" ") + 1:]
    return f"{head.rstrip()}…{tail.lstrip()}"
