"""SVG charts of the journey dashboard (and, later, the report): pure, labels escaped.

Colours: a diverging red–grey–blue scale for scores (colour-blind safe, and every cell
also carries its number), grey hatching for "not enough answers".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import number_format

from cx.svg import GRID, INK, document, text

LOW, MID, HIGH = (213, 94, 0), (240, 240, 240), (0, 114, 178)
LINE = "#0072B2"
BAND = "#0072B233"
NO_DATA = "#bdbdbd"


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


@dataclass(frozen=True)
class Cell:
    value: float | None  # None: not enough answers
    n: int


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: dict[tuple[str, str], Cell],
    *,
    title: str,
    scale: tuple[float, float],
    no_data: str,
) -> str:
    """Return a rows × columns grid of scores; each cell shows its value and n."""
    left, top, cell_w, cell_h = 170, 54, 92, 40
    width = left + cell_w * max(1, len(columns)) + 10
    height = top + cell_h * max(1, len(rows)) + 10
    body = []
    for c, column in enumerate(columns):
        body.append(
            text(left + c * cell_w + cell_w / 2, top - 10, column[:14], anchor="middle",
                 weight="bold")
        )  # fmt: skip
    for r, row in enumerate(rows):
        y = top + r * cell_h
        body.append(text(left - 8, y + cell_h / 2 + 4, row[:24], anchor="end"))
        for c, column in enumerate(columns):
            x = left + c * cell_w
            cell = cells.get((row, column), Cell(None, 0))
            if cell.value is None:
                fill, ink, label = NO_DATA, INK, "–"
            else:
                fill = score_colour(cell.value, *scale)
                ink, label = _ink_on(cell.value, *scale), f"{cell.value:.0f}"
            body.append(
                f"<rect x='{x + 1}' y='{y + 1}' width='{cell_w - 2}' "
                f"height='{cell_h - 2}' fill='{fill}' rx='3'/>"
            )
            body.append(text(x + cell_w / 2, y + 18, label, anchor="middle",
                             weight="bold", fill=ink, size=13))  # fmt: skip
            body.append(text(x + cell_w / 2, y + 32, f"n={cell.n}", anchor="middle",
                             fill=ink, size=9))  # fmt: skip
    described = "; ".join(
        f"{row} × {column}: "
        + (
            no_data
            if cells.get((row, column), Cell(None, 0)).value is None
            else f"{cells[(row, column)].value:.0f} (n={cells[(row, column)].n})"
        )
        for row in rows
        for column in columns
    )
    return document(width, height, title, described, body)


@dataclass(frozen=True)
class Point:
    day: date
    value: float | None
    low: float | None = None
    high: float | None = None


def trend(points: Sequence[Point], *, title: str, scale: tuple[float, float]) -> str:
    """Return a line of ``points`` with its confidence band; gaps where n is too small."""
    width, height, left, right, top, bottom = 640, 220, 44, 12, 16, 30
    low, high = scale
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, len(points) - 1))

    def y(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    body = []
    for tick in (low, (low + high) / 2, high):
        body.append(
            f"<line x1='{left}' y1='{y(tick):.1f}' x2='{width - right}' "
            f"y2='{y(tick):.1f}' stroke='{GRID}'/>"
        )
        body.append(text(left - 6, y(tick) + 4, f"{tick:.0f}", anchor="end", size=10))
    band_top = [(x(i), y(p.high)) for i, p in enumerate(points) if p.high is not None]
    band_bottom = [(x(i), y(p.low)) for i, p in enumerate(points) if p.low is not None]
    if band_top and band_bottom:
        outline = band_top + band_bottom[::-1]
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in outline)
        body.append(f"<polygon points='{coords}' fill='{BAND}' stroke='none'/>")
    segment: list[str] = []
    for i, point in enumerate(points):
        if point.value is None:
            if len(segment) > 1:
                body.append(_polyline(segment))
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(point.value):.1f}")
        body.append(
            f"<circle cx='{x(i):.1f}' cy='{y(point.value):.1f}' r='3' fill='{LINE}'/>"
        )
    if len(segment) > 1:
        body.append(_polyline(segment))
    step = max(1, len(points) // 6)
    for i in range(0, len(points), step):
        body.append(
            text(x(i), height - 10, points[i].day.strftime("%-d.%-m."), anchor="middle",
                 size=10)
        )  # fmt: skip
    described = "; ".join(
        f"{p.day.isoformat()}: {'–' if p.value is None else f'{p.value:.0f}'}"
        for p in points
    )
    return document(width, height, title, described, body)


def _polyline(points: list[str]) -> str:
    return (
        f"<polyline points='{' '.join(points)}' fill='none' stroke='{LINE}' "
        "stroke-width='2'/>"
    )


def funnel(steps: Sequence[tuple[str, int]], *, title: str) -> str:
    """Return horizontal bars of a funnel, each with its count and share of the first."""
    left, top, row, width = 150, 8, 30, 640
    height = top + row * len(steps) + 8
    first = max(1, steps[0][1] if steps else 1)
    bar_space = width - left - 110
    body = []
    for i, (label, count) in enumerate(steps):
        y = top + i * row
        bar = bar_space * count / first
        body.append(text(left - 8, y + 18, label, anchor="end"))
        body.append(
            f"<rect x='{left}' y='{y + 4}' width='{max(bar, 1):.1f}' height='{row - 8}' "
            f"fill='{LINE}' rx='2'/>"
        )
        # Written as the active language writes numbers: "1 029 (98 %)" in Finnish, not
        # "1,029" (a decimal comma there).
        shown = number_format(count, force_grouping=True)
        share = number_format(round(100 * count / first))
        body.append(text(left + bar + 6, y + 18, f"{shown} ({share} %)"))
    described = "; ".join(f"{label}: {count}" for label, count in steps)
    return document(width, height, title, described, body)
