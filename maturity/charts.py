"""SVG charts of the maturity report. Pure: strings in, SVG text out, every label escaped.

Colours are the Okabe–Ito palette (colour-blind safe); every chart has a <title> and a
<desc> so it reads out in a screen reader and survives as text in the PDF.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cx.svg import GRID, INK
from cx.svg import document as _svg
from cx.svg import text as _text
from maturity.scoring import score_shown

EVIDENCE = "#0072B2"  # blue
CLAIM = "#E69F00"  # orange
PREVIOUS = "#999999"
TARGET = "#009E73"  # green
LEVEL_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#56B4E9", 4: "#009E73"}


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
    """Return horizontal bars of dimension scores on the 1–4 scale, with whiskers."""
    left, right, row, top = 230, 30, 26, 34
    width = 720
    height = top + row * len(bars) + 30
    scale_width = width - left - right

    def x(level: float) -> float:
        return left + (min(max(level, 1.0), 5.0) - 1.0) / 4.0 * scale_width

    body = []
    for level in range(1, 6):
        body.append(
            f"<line x1='{x(level):.1f}' y1='{top - 6}' x2='{x(level):.1f}' "
            f"y2='{height - 26}' stroke='{GRID}' stroke-width='1'/>"
        )
        if level < 5:
            body.append(_text(x(level) + 3, top - 10, str(level), size=10))
    for i, bar in enumerate(bars):
        y = top + i * row
        body.append(_text(left - 8, y + 14, bar.label, anchor="end"))
        body.append(
            f"<rect x='{x(1):.1f}' y='{y + 4}' width='{x(bar.score) - x(1):.1f}' height='14' "
            f"fill='{EVIDENCE}'/>"
        )
        # The value goes right of the bar and of the target mark, not under it.
        value_x = x(max(bar.score, bar.target or 0.0)) + (8 if bar.target else 4)
        body.append(_text(value_x, y + 15, f"{score_shown(bar.score):.1f}", size=10))
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
    body.append(_legend(legend, left, height - 10))
    desc = "; ".join(f"{bar.label} {score_shown(bar.score):.1f}" for bar in bars)
    return _svg(width, height, title, desc, body)


def _legend(items: dict[str, str], x: float, y: float) -> str:
    parts = []
    for colour, label in items.items():
        parts.append(
            f"<rect x='{x:.1f}' y='{y - 9}' width='10' height='10' fill='{colour}'/>"
        )
        parts.append(_text(x + 14, y, label, size=10))
        x += 24 + 6.2 * len(label)
    return "".join(parts)


def radar(
    labels: Sequence[str],
    series: dict[str, tuple[str, Sequence[float | None]]],
    *,
    title: str,
) -> str:
    """Return a radar chart (levels 1–4 on each axis); ``series``: name → (colour, values)."""
    size, centre, radius = 460, 230, 150
    count = len(labels)

    def point(index: int, level: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * (min(max(level, 0.0), 4.0) / 4.0)
        return centre + distance * math.cos(angle), centre + distance * math.sin(angle)

    body = []
    for level in range(1, 5):
        ring = " ".join(
            f"{px:.1f},{py:.1f}" for px, py in (point(i, level) for i in range(count))
        )
        body.append(f"<polygon points='{ring}' fill='none' stroke='{GRID}'/>")
        lx, ly = point(0, level)  # below the ring, clear of the first axis's label
        body.append(_text(lx + 4, ly + 12, str(level), size=9, fill="#555"))
    for i, label in enumerate(labels):
        ex, ey = point(i, 4)
        body.append(
            f"<line x1='{centre}' y1='{centre}' x2='{ex:.1f}' y2='{ey:.1f}' stroke='{GRID}'/>"
        )
        lx, ly = point(i, 4.55)
        anchor = (
            "middle" if abs(lx - centre) < 20 else ("start" if lx > centre else "end")
        )
        body.append(_text(lx, ly + 4, label, size=10, anchor=anchor))
    legend_y = size - 12
    legend_x = 20.0
    for name, (colour, values) in series.items():
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        if known:
            shape = " ".join(
                f"{px:.1f},{py:.1f}" for px, py in (point(i, v) for i, v in known)
            )
            body.append(
                f"<polygon points='{shape}' fill='{colour}' fill-opacity='0.15' "
                f"stroke='{colour}' stroke-width='2'/>"
            )
            for i, v in known:
                px, py = point(i, v)
                body.append(
                    f"<circle cx='{px:.1f}' cy='{py:.1f}' r='3' fill='{colour}'/>"
                )
        body.append(
            f"<rect x='{legend_x}' y='{legend_y - 9}' width='10' height='10' fill='{colour}'/>"
        )
        body.append(_text(legend_x + 14, legend_y, name, size=10))
        legend_x += 40 + 6.2 * len(name)
    desc = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{label} {'–' if v is None else f'{score_shown(v):.1f}'}"
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
                    f"◀ {score_shown(index):.1f}",
                    size=14,
                    weight="bold",
                )
            )
    desc = f"Level {current} of 4, index {score_shown(index):.1f}"
    return _svg(width, height, title, desc, body)
