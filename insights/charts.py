"""SVG charts of the journey dashboard and the maturity report: pure, labels escaped.

Colours: a diverging orange–grey–blue scale for scores (colour-blind safe, and every
cell also carries its number) with its legend drawn under the chart, grey for "not
enough answers". Each chart takes the width it is drawn at: the dashboard draws a wide
one for a desktop and a narrow one for a phone, both with labels of at least 12 px, and
links every number to the answers behind it when given the address.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import number_format

from cx.svg import GRID, INK, MIN_LABEL, MUTED, document, link, text

LOW, MID, HIGH = (213, 94, 0), (240, 240, 240), (0, 114, 178)
LINE = "#0072B2"
BAND = "#0072B233"
TARGET = "#1a1a1a"
NO_DATA = "#bdbdbd"
SMALL = MIN_LABEL
LABEL = 13
# Narrow charts are drawn for a phone's content width (390 px less the margins).
NARROW = 358
# A desktop's half page (1440 px less the margins, in two columns).
WIDE = 680


def _blend(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def score_colour(value: float, low: float, high: float) -> str:
    """Return the colour of ``value`` on a diverging scale from ``low`` to ``high``."""
    middle = (low + high) / 2
    if value <= middle:
        return _blend(LOW, MID, max(0.0, (value - low) / (middle - low)))
    return _blend(MID, HIGH, min(1.0, (value - middle) / (high - middle)))


def _ink_on(value: float, low: float, high: float) -> str:
    span = (value - low) / (high - low)
    return "#ffffff" if span < 0.15 or span > 0.85 else INK


def _signed(value: float) -> str:
    return f"{value:+.0f}".replace("-", "−") if round(value) else "0"


def _wrap(label: str, width: int, lines: int = 2) -> list[str]:
    """Return ``label`` in at most ``lines`` lines of about ``width`` characters."""
    if lines == 1 or len(label) <= width:
        return [label if len(label) <= width else label[: width - 1] + "…"]
    words, found, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            found.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    found.append(line)
    if len(found) > lines:
        found = found[:lines]
        found[-1] = found[-1][: max(1, width - 1)] + "…"
    return [part if len(part) <= width else part[: width - 1] + "…" for part in found]


def colour_legend(
    x: float, y: float, width: float, *, scale: tuple[float, float], no_data: str,
    label: str,
) -> list[str]:  # fmt: skip
    """Return the legend of the score colours: a stepped bar with ticks, and grey."""
    low, high = scale
    steps = 20
    bar_w = min(width - 10, 360.0)
    body = [text(x, y, label, size=SMALL, weight="bold")]
    for i in range(steps):
        value = low + (high - low) * (i + 0.5) / steps
        body.append(
            f"<rect x='{x + bar_w * i / steps:.1f}' y='{y + 8}' "
            f"width='{bar_w / steps + 0.5:.1f}' height='14' "
            f"fill='{score_colour(value, low, high)}'/>"
        )
    for tick in (low, (low + high) / 2, high):
        tick_x = x + bar_w * (tick - low) / (high - low)
        anchor = "start" if tick == low else "end" if tick == high else "middle"
        body.append(text(tick_x, y + 38, _signed(tick), size=SMALL, anchor=anchor))
    swatch_y = y + 50
    body.append(
        f"<rect x='{x}' y='{swatch_y}' width='18' height='14' fill='{NO_DATA}'/>"
    )
    body.append(text(x + 24, swatch_y + 12, no_data, size=SMALL))
    return body


@dataclass(frozen=True)
class Cell:
    value: float | None  # None: not enough answers
    n: int
    href: str | None = None


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: dict[tuple[str, str], Cell],
    *,
    title: str,
    scale: tuple[float, float],
    no_data: str,
    width: int = 640,
    groups: dict[int, str] | None = None,
    legend: str = "",
    open_label: str = "",
) -> str:
    """Return a rows × columns grid of scores; each cell shows its value and n.

    ``groups`` heads the row at an index (a journey's name above its first
    touchpoint); a cell with an ``href`` links to its answers, announced as
    ``open_label``.
    """
    groups = groups or {}
    narrow = width < 500
    left = 120 if narrow else min(260, max(170, width // 4))
    chars = 15 if narrow else left // 8
    columns_n = max(1, len(columns))
    cell_w = max(54.0, min(180.0, (width - left - 8) / columns_n))
    width = max(width, int(left + cell_w * columns_n + 8))
    cell_h = 46
    header_h = 40 if narrow else 30
    top = header_h + 8
    y_of: list[float] = []
    y = float(top)
    for r in range(len(rows)):
        if r in groups:
            y += 26
        y_of.append(y)
        y += cell_h
    legend_top = y + 24
    height = int(legend_top + (70 if legend else 0))
    body: list[str] = []
    for c, column in enumerate(columns):
        lines = _wrap(column, max(6, int(cell_w // 8)), lines=2 if narrow else 1)
        for i, line in enumerate(lines):
            body.append(
                text(left + c * cell_w + cell_w / 2, 16 + i * 15, line, anchor="middle",
                     weight="bold", size=SMALL)
            )  # fmt: skip
    for r, row in enumerate(rows):
        y = y_of[r]
        if r in groups:
            body.append(text(4, y - 8, groups[r], weight="bold", size=LABEL))
        lines = _wrap(row, chars)
        first = y + cell_h / 2 + 5 - (len(lines) - 1) * 7
        for i, line in enumerate(lines):
            body.append(text(left - 8, first + i * 14, line, anchor="end", size=SMALL))
        for c, column in enumerate(columns):
            x = left + c * cell_w
            cell = cells.get((row, column), Cell(None, 0))
            if cell.value is None:
                fill, ink, label = NO_DATA, INK, "–"
            else:
                fill = score_colour(cell.value, *scale)
                ink, label = _ink_on(cell.value, *scale), _signed(cell.value)
            drawn = (
                f"<rect x='{x + 1:.1f}' y='{y + 1:.1f}' width='{cell_w - 2:.1f}' "
                f"height='{cell_h - 2}' fill='{fill}' rx='3'/>"
                + text(x + cell_w / 2, y + 20, label, anchor="middle", weight="bold",
                       fill=ink, size=15)
                + text(x + cell_w / 2, y + 37, f"n={cell.n}", anchor="middle",
                       fill=ink, size=SMALL)
            )  # fmt: skip
            spoken = f"{row} × {column}: {label} (n={cell.n}). {open_label}"
            body.append(link(cell.href if cell.n else None, spoken, drawn))
    if legend:
        body += colour_legend(
            4, legend_top, width, scale=scale, no_data=no_data, label=legend
        )
    described = "; ".join(
        f"{row} × {column}: "
        + (
            no_data
            if cells.get((row, column), Cell(None, 0)).value is None
            else f"{cells[(row, column)].value:.0f} (n={cells[(row, column)].n})"
        )
        for row in rows
        for column in columns
        if (row, column) in cells
    )
    interactive = any(cell.href for cell in cells.values())
    return document(width, height, title, described, body, interactive=interactive)


@dataclass(frozen=True)
class Point:
    day: date
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0
    href: str | None = None


def nice_axis(values: Sequence[float], *, bounds: tuple[float, float]) -> list[float]:
    """Return round ticks that fit ``values`` (within ``bounds``) with a little air."""
    low_bound, high_bound = bounds
    if not values:
        return [low_bound, (low_bound + high_bound) / 2, high_bound]
    low, high = min(values), max(values)
    span = max(high - low, (high_bound - low_bound) / 20)
    raw_step = span / 5
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    start = max(low_bound, math.floor(low / step) * step)
    end = min(high_bound, math.ceil(high / step) * step)
    ticks, tick = [], start
    while tick <= end + step / 1000:
        ticks.append(round(tick, 6))
        tick += step
    return ticks


def trend(
    points: Sequence[Point],
    *,
    title: str,
    scale: tuple[float, float],
    width: int = 640,
    target: float | None = None,
    target_label: str = "",
    legend: tuple[str, str] = ("", ""),
    decimals: int = 0,
) -> str:
    """Return a line of ``points`` with its 95 % band, on an axis fitted to the data.

    Gaps where n is too small; a dashed target line when given; the legend names the
    line, the band and the target. Each point links to its answers when it has an href.
    """
    line_label, band_label = legend
    narrow = width < 500
    height = 300 if narrow else 280
    left, right, top = 46, 12, 16
    bottom = 78 if narrow else 56
    plot_w, plot_h = width - left - right, height - top - bottom
    shown = [v for p in points for v in (p.value, p.low, p.high) if v is not None]
    if target is not None:
        shown.append(target)
    ticks = nice_axis(shown, bounds=scale)
    low, high = ticks[0], ticks[-1]
    if high <= low:
        high = low + 1

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / max(1, len(points)))

    def y(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    body = []
    for tick in ticks:
        body.append(
            f"<line x1='{left}' y1='{y(tick):.1f}' x2='{width - right}' "
            f"y2='{y(tick):.1f}' stroke='{GRID}'/>"
        )
        label = (f"{tick:.{decimals}f}" if decimals else f"{tick:.0f}").replace(
            "-", "−"
        )
        body.append(text(left - 6, y(tick) + 4, label, anchor="end", size=SMALL))
    # The band is drawn per run of shown points, so a hidden week leaves a gap.
    runs: list[list[int]] = [[]]
    for i, point in enumerate(points):
        if point.value is None or point.low is None or point.high is None:
            runs.append([])
        else:
            runs[-1].append(i)
    for run in runs:
        if not run:
            continue
        upper = [(x(i), y(points[i].high or 0)) for i in run]
        lower = [(x(i), y(points[i].low or 0)) for i in run]
        if len(run) == 1:
            px = upper[0][0]
            upper = [(px - 4, upper[0][1]), (px + 4, upper[0][1])]
            lower = [(px - 4, lower[0][1]), (px + 4, lower[0][1])]
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in upper + lower[::-1])
        body.append(f"<polygon points='{coords}' fill='{BAND}' stroke='none'/>")
    if target is not None:
        body.append(
            f"<line x1='{left}' y1='{y(target):.1f}' x2='{width - right}' "
            f"y2='{y(target):.1f}' stroke='{TARGET}' stroke-dasharray='6 4'/>"
        )
    segment: list[str] = []
    for i, point in enumerate(points):
        if point.value is None:
            if len(segment) > 1:
                body.append(_polyline(segment))
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(point.value):.1f}")
    if len(segment) > 1:
        body.append(_polyline(segment))
    for i, point in enumerate(points):
        if point.value is None:
            continue
        dot = f"<circle cx='{x(i):.1f}' cy='{y(point.value):.1f}' r='4' fill='{LINE}'/>"
        spoken = f"{point.day.strftime('%-d.%-m.%Y')}: {point.value:.{decimals}f} (n={point.n})"
        body.append(link(point.href, spoken, dot))
    labels = 4 if narrow else 10
    step = max(1, math.ceil(len(points) / labels))
    for i in range(0, len(points), step):
        body.append(
            text(x(i), top + plot_h + 18, points[i].day.strftime("%-d.%-m."),
                 anchor="middle", size=SMALL)
        )  # fmt: skip
    legend_y = top + plot_h + 40
    body.append(
        f"<line x1='{left}' y1='{legend_y - 4}' x2='{left + 22}' y2='{legend_y - 4}' "
        f"stroke='{LINE}' stroke-width='2'/>"
    )
    body.append(text(left + 28, legend_y, line_label, size=SMALL))
    band_x = left if narrow else left + 40 + 8 * len(line_label)
    band_y = legend_y + (20 if narrow else 0)
    body.append(
        f"<rect x='{band_x}' y='{band_y - 12}' width='22' height='12' fill='{BAND}'/>"
    )
    body.append(text(band_x + 28, band_y, band_label, size=SMALL))
    if target is not None:
        target_x = band_x + 40 + 8 * len(band_label)
        if narrow:
            target_x = left + 150
        body.append(
            f"<line x1='{target_x}' y1='{band_y - 4}' x2='{target_x + 22}' "
            f"y2='{band_y - 4}' stroke='{TARGET}' stroke-dasharray='6 4'/>"
        )
        body.append(text(target_x + 28, band_y, target_label, size=SMALL))
    described = "; ".join(
        f"{p.day.isoformat()}: "
        + ("–" if p.value is None else f"{p.value:.{decimals}f} (n={p.n})")
        for p in points
    )
    interactive = any(p.href for p in points)
    return document(width, height, title, described, body, interactive=interactive)


def _polyline(points: list[str]) -> str:
    return (
        f"<polyline points='{' '.join(points)}' fill='none' stroke='{LINE}' "
        "stroke-width='2'/>"
    )


def funnel(
    steps: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 640,
    of_previous: str = "{rate} of the step before",
    hrefs: Sequence[str | None] = (),
    open_label: str = "",
) -> str:
    """Return a funnel's steps as bars, each with its count and its step-to-step rate.

    The rate of a step is its count over the previous step's, the question a funnel
    answers (where do people drop out); the bars keep their length of the first. A
    step with an address in ``hrefs`` links its bar and count to the rows it counts.
    """
    row, top = 48, 6
    height = top + row * len(steps) + 4
    first = max(1, steps[0][1] if steps else 1)
    rates: list[str] = [""]
    for (_label, before), (_same, count) in itertools.pairwise(steps):
        share = f"{number_format(round(100 * count / before))} %" if before else "–"
        rates.append(of_previous.format(rate=share))
    # Room right of the longest bar for its count and the longest rate, so that
    # neither is cut off at a phone's width (about 9 px a digit, 7 px a small letter).
    widest = max(
        (
            16 + 9 * len(number_format(count, force_grouping=True)) + 7 * len(rate)
            for (_label, count), rate in zip(steps, rates, strict=True)
        ),
        default=0,
    )
    bar_space = max(40, width - 8 - widest)
    body = []
    described = []
    for i, (label, count) in enumerate(steps):
        y = top + i * row
        bar = bar_space * count / first
        rate = rates[i]
        href = hrefs[i] if i < len(hrefs) else None
        body.append(text(0, y + 14, label, size=LABEL, weight="bold"))
        # As the active language writes numbers: "1 029" in Finnish, not "1,029".
        figure = number_format(count, force_grouping=True)
        drawn = (
            f"<rect x='0' y='{y + 20}' width='{max(bar, 1):.1f}' height='18' "
            f"fill='{LINE}' rx='2'/>"
            + text(bar + 8, y + 34, figure, size=LABEL, weight="bold",
                   fill=LINE if href else INK)
        )  # fmt: skip
        body.append(link(href, f"{label}: {figure}. {open_label}".strip(), drawn))
        if rate:
            body.append(
                text(bar + 16 + 9 * len(figure), y + 34, rate, size=SMALL, fill=MUTED)
            )
        described.append(f"{label}: {count}" + (f" ({rate})" if rate else ""))
    interactive = any(hrefs)
    return document(
        width, height, title, "; ".join(described), body, interactive=interactive
    )
