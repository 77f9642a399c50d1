"""SVG charts of the maturity report. Pure: strings in, SVG text out, every label escaped.

Colours are the Okabe–Ito palette (colour-blind safe); every chart has a <title> and a
<desc> so it reads out in a screen reader and survives as text in the PDF.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format

from cx.svg import GRID, INK, MIN_LABEL
from cx.svg import document as _svg
from cx.svg import text as _text
from insights.charts import _wrap as wrap
from maturity.scoring import score_shown

EVIDENCE = "#0072B2"  # blue
CLAIM = "#E69F00"  # orange
PREVIOUS = "#999999"
TARGET = "#009E73"  # green
LEVEL_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#56B4E9", 4: "#009E73"}
# Scores run 1.0–4.99 (the whole part is the level), so every chart's axis is 1–5 and
# every gridline, the 5 included, is labelled.
SCALE = (1, 2, 3, 4, 5)
# A phone's card: 390 px less the page's and the card's margins, so that a chart drawn
# this wide shows its 12 px labels at 12 px.
NARROW = 330
CHAR_WIDTH = 6.4  # DejaVu Sans at 11 px, an average glyph, to make room for labels


def decimal(value: float) -> str:
    """Return a score cut to one decimal, written as the active language writes it."""
    return number_format(score_shown(value), 1)


def _label_width(labels: Sequence[str], size: int = 11) -> float:
    return max((len(label) for label in labels), default=0) * CHAR_WIDTH * size / 11


@dataclass(frozen=True)
class DimensionBar:
    label: str
    score: float  # 1…4.99
    low: float | None = None  # uncertainty whisker
    high: float | None = None
    previous: float | None = None
    target: float | None = None


def dimension_bars(
    bars: Sequence[DimensionBar], *, title: str, legend: dict[str, str]
) -> str:
    """Return horizontal bars of dimension scores on the 1–5 scale, with whiskers.

    The label column is as wide as the longest label (Finnish names are long), and the
    legend names only the marks that are drawn.
    """
    left = max(160.0, _label_width([bar.label for bar in bars]) + 16)
    right, row, top = 40, 26, 34
    width = int(left + 460 + right)
    height = top + row * len(bars) + 30
    scale_width = width - left - right

    def x(level: float) -> float:
        return left + (min(max(level, 1.0), 5.0) - 1.0) / 4.0 * scale_width

    body = []
    for level in SCALE:
        body.append(
            f"<line x1='{x(level):.1f}' y1='{top - 6}' x2='{x(level):.1f}' "
            f"y2='{height - 26}' stroke='{GRID}' stroke-width='1'/>"
        )
        body.append(_text(x(level), top - 10, str(level), size=10, anchor="middle"))
    for i, bar in enumerate(bars):
        y = top + i * row
        body.append(_text(left - 8, y + 14, bar.label, anchor="end"))
        body.append(
            f"<rect x='{x(1):.1f}' y='{y + 4}' width='{x(bar.score) - x(1):.1f}' height='14' "
            f"fill='{EVIDENCE}'/>"
        )
        # The value goes right of the bar and of the target mark, not under it.
        value_x = x(max(bar.score, bar.target or 0.0)) + (8 if bar.target else 4)
        body.append(_text(value_x, y + 15, decimal(bar.score), size=10))
        if bar.low is not None and bar.high is not None:
            body.append(
                f"<line x1='{x(bar.low):.1f}' y1='{y + 11}' x2='{x(bar.high):.1f}' "
                f"y2='{y + 11}' stroke='{INK}' stroke-width='1.5'/>"
            )
        if bar.previous is not None:
            body.append(
                f"<line x1='{x(bar.previous):.1f}' y1='{y + 1}' x2='{x(bar.previous):.1f}' "
                f"y2='{y + 21}' stroke='{PREVIOUS}' stroke-width='3'/>"
            )
        if bar.target is not None:
            body.append(
                f"<path d='M{x(bar.target):.1f},{y + 2} l5,9 l-5,9 l-5,-9 z' fill='{TARGET}'/>"
            )
    drawn = {EVIDENCE}
    drawn |= {PREVIOUS} if any(bar.previous is not None for bar in bars) else set()
    drawn |= {TARGET} if any(bar.target is not None for bar in bars) else set()
    body.append(
        _legend(
            {c: name for c, name in legend.items() if c in drawn}, left, height - 10
        )
    )
    desc = "; ".join(f"{bar.label} {decimal(bar.score)}" for bar in bars)
    return _svg(width, height, title, desc, body)


def _legend(items: dict[str, str], x: float, y: float, size: int = 10) -> str:
    parts = []
    for colour, label in items.items():
        parts.append(
            f"<rect x='{x:.1f}' y='{y - 9}' width='10' height='10' fill='{colour}'/>"
        )
        parts.append(_text(x + 14, y, label, size=size))
        x += 24 + 0.62 * size * len(label)
    return "".join(parts)


def radar(
    labels: Sequence[str],
    series: dict[str, tuple[str, Sequence[float | None]]],
    *,
    title: str,
) -> str:
    """Return a radar chart (scores 1–5 on each axis); ``series``: name → (colour, values).

    A series with no value is neither drawn nor named in the legend.
    """
    size, centre, radius = 460, 230, 145
    count = len(labels)

    def point(index: int, level: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * max(level, 0.0) / 5.0
        return centre + distance * math.cos(angle), centre + distance * math.sin(angle)

    body = []
    for level in SCALE:
        ring = " ".join(
            f"{px:.1f},{py:.1f}" for px, py in (point(i, level) for i in range(count))
        )
        body.append(f"<polygon points='{ring}' fill='none' stroke='{GRID}'/>")
        # Left of the first axis, under the ring: clear of the axis and of its label.
        lx, ly = point(0, level)
        body.append(
            _text(lx - 4, ly + 11, str(level), size=9, anchor="end", fill="#555")
        )
    for i, label in enumerate(labels):
        ex, ey = point(i, 5)
        body.append(
            f"<line x1='{centre}' y1='{centre}' x2='{ex:.1f}' y2='{ey:.1f}' stroke='{GRID}'/>"
        )
        lx, ly = point(i, 5.75)  # clear of the outer ring and of a 4.9 on it
        anchor = (
            "middle" if abs(lx - centre) < 20 else ("start" if lx > centre else "end")
        )
        body.append(_text(lx, ly + 4, label, size=10, anchor=anchor))
    legend_y = size - 12
    legend_x = 20.0
    for name, (colour, values) in series.items():
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        if not known:
            continue  # nothing drawn, so nothing in the legend
        shape = " ".join(
            f"{px:.1f},{py:.1f}" for px, py in (point(i, min(v, 5.0)) for i, v in known)
        )
        body.append(
            f"<polygon points='{shape}' fill='{colour}' fill-opacity='0.15' "
            f"stroke='{colour}' stroke-width='2'/>"
        )
        for i, v in known:
            px, py = point(i, min(v, 5.0))
            body.append(f"<circle cx='{px:.1f}' cy='{py:.1f}' r='3' fill='{colour}'/>")
        body.append(
            f"<rect x='{legend_x}' y='{legend_y - 9}' width='10' height='10' fill='{colour}'/>"
        )
        body.append(_text(legend_x + 14, legend_y, name, size=10))
        legend_x += 40 + 6.2 * len(name)
    desc = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{label} {'–' if v is None else decimal(v)}"
            for label, v in zip(labels, values, strict=True)
        )
        for name, (_, values) in series.items()
    )
    return _svg(size, size, title, desc, body)


def ladder(
    levels: Sequence[tuple[int, str]], current: int, index: float, *, title: str
) -> str:
    """Return the four-level ladder with the organisation's place marked."""
    width, step_height = 720, 46
    height = step_height * len(levels) + 20
    body = []
    for i, (level, name) in enumerate(sorted(levels, reverse=True)):
        y = 10 + i * step_height
        indent = (4 - level) * 40
        reached = level <= current
        fill = LEVEL_COLOURS[level] if reached else "#f0f0f0"
        body.append(
            f"<rect x='{indent}' y='{y}' width='{width - indent - 160}' height='{step_height - 8}' "
            f"rx='4' fill='{fill}' stroke='{LEVEL_COLOURS[level]}' stroke-width='2'/>"
        )
        body.append(
            _text(indent + 12, y + 24, f"{level} · {name}", size=13, weight="bold")
        )
        if level == current:
            body.append(
                _text(
                    width - 150,
                    y + 24,
                    f"◀ {decimal(index)}",
                    size=14,
                    weight="bold",
                )
            )
    desc = f"{current} / 4 · {decimal(index)}"
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class ClaimRow:
    label: str
    evidence: float
    claim: float | None  # None: not self-assessed


def claim_vs_evidence(
    rows: Sequence[ClaimRow],
    *,
    title: str,
    evidence_name: str,
    claim_name: str,
    narrow: bool = False,
) -> str:
    """Return a dumbbell chart: per dimension the evidence and the self-assessment.

    A grey bar joins the two where both exist; a claim more than a level above the
    evidence is drawn in red. The claim's legend entry appears only when one is drawn.
    ``narrow`` draws it for a phone's width, every label at least 12 px.
    """
    size = MIN_LABEL if narrow else 11
    # Narrow (a phone): each dimension's name on its own lines above its dumbbell, so
    # the scale takes the whole width; wide: the names in a column left of the scale.
    labels = [wrap(row.label, 38) if narrow else [row.label] for row in rows]
    if narrow:
        left, right, top, width = 14.0, 14, 30, NARROW
        row_heights = [16 * len(lines) + 24 for lines in labels]
    else:
        left = max(150.0, _label_width([row.label for row in rows]) + 16)
        right, top = 30, 30
        width = int(left + 420 + right)
        row_heights = [28 for _ in rows]
    height = int(top + sum(row_heights) + 34)
    scale_width = width - left - right

    def x(score: float) -> float:
        return left + (min(max(score, 1.0), 5.0) - 1.0) / 4.0 * scale_width

    body = []
    for level in SCALE:
        body.append(
            f"<line x1='{x(level):.1f}' y1='{top - 6}' x2='{x(level):.1f}' "
            f"y2='{height - 28}' stroke='{GRID}' stroke-width='1'/>"
        )
        body.append(
            _text(x(level), top - 10, str(level), size=size - 1, anchor="middle")
        )
    row_top = float(top)
    for row, lines, row_height in zip(rows, labels, row_heights, strict=True):
        if narrow:
            for n, line in enumerate(lines):
                body.append(_text(left - 6, row_top + 13 + 16 * n, line, size=size))
            y = row_top + row_height - 12
        else:
            y = row_top + 12
            body.append(_text(left - 8, y + 4, row.label, anchor="end"))
        row_top += row_height
        if row.claim is not None:
            gap = row.claim - row.evidence > 1
            body.append(
                f"<line x1='{x(row.evidence):.1f}' y1='{y}' x2='{x(row.claim):.1f}' "
                f"y2='{y}' stroke='{'#D55E00' if gap else '#bbbbbb'}' stroke-width='4'/>"
            )
        body.append(
            f"<circle cx='{x(row.evidence):.1f}' cy='{y}' r='6' fill='{EVIDENCE}'/>"
        )
        if row.claim is not None:  # on top, so a claim equal to the evidence shows
            cx = x(row.claim)
            body.append(
                f"<path d='M{cx:.1f},{y - 6} l6,6 l-6,6 l-6,-6 z' fill='{CLAIM}' "
                f"stroke='#ffffff' stroke-width='1'/>"
            )
    legend = {EVIDENCE: evidence_name}
    if any(row.claim is not None for row in rows):
        legend[CLAIM] = claim_name
    body.append(_legend(legend, left, height - 8, size=size))
    desc = "; ".join(
        f"{row.label}: {evidence_name} {decimal(row.evidence)}"
        + ("" if row.claim is None else f", {claim_name} {decimal(row.claim)}")
        for row in rows
    )
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class TrendPoint:
    day: date
    index: float
    level: int


def index_trend(
    points: Sequence[TrendPoint], *, title: str, index_name: str, narrow: bool = False
) -> str:
    """Return the index across assessments on the 1–5 scale, level bands behind it.

    ``narrow`` draws it for a phone's width: labels of 12 px, at most four dates.
    """
    size = MIN_LABEL if narrow else 10
    if narrow:
        width, height, left, right, top, bottom = NARROW, 220, 36, 36, 20, 36
    else:
        width, height, left, right, top, bottom = 640, 240, 40, 44, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(score: float) -> float:
        return top + plot_h * (1 - (min(max(score, 1.0), 5.0) - 1.0) / 4.0)

    def x(i: int) -> float:
        return left + (
            plot_w / 2 if len(points) == 1 else plot_w * i / (len(points) - 1)
        )

    body = []
    for level in (1, 2, 3, 4):
        body.append(
            f"<rect x='{left}' y='{y(level + 1):.1f}' width='{plot_w}' "
            f"height='{y(level) - y(level + 1):.1f}' fill='{LEVEL_COLOURS[level]}' "
            f"fill-opacity='0.12'/>"
        )
    for level in SCALE:
        body.append(
            f"<line x1='{left}' y1='{y(level):.1f}' x2='{width - right}' "
            f"y2='{y(level):.1f}' stroke='{GRID}'/>"
        )
        body.append(_text(left - 8, y(level) + 4, str(level), size=size, anchor="end"))
    coords = [(x(i), y(point.index)) for i, point in enumerate(points)]
    if len(coords) > 1:
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in coords)
        body.append(
            f"<polyline points='{line}' fill='none' stroke='{EVIDENCE}' stroke-width='2.5'/>"
        )
    # At most eight dates (three on a phone), counted back from the last, so the last
    # is always named and never crowds the one before it.
    step = max(1, math.ceil(len(points) / (3 if narrow else 8)))
    for i, (point, (px, py)) in enumerate(zip(points, coords, strict=True)):
        body.append(f"<circle cx='{px:.1f}' cy='{py:.1f}' r='4' fill='{EVIDENCE}'/>")
        if (len(points) - 1 - i) % step == 0:
            body.append(
                _text(px, height - bottom + 18, date_format(point.day, "M Y"),
                      size=size, anchor="middle")
            )  # fmt: skip
        if i == len(points) - 1:
            body.append(
                _text(px, py - 9, decimal(point.index), size=size + 1,
                      anchor="middle", weight="bold")
            )  # fmt: skip
    desc = "; ".join(
        f"{date_format(point.day, 'SHORT_DATE_FORMAT')}: {index_name} "
        f"{decimal(point.index)}, {point.level}"
        for point in points
    )
    return _svg(width, height, title, desc, body)
