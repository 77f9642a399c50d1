"""The importance × performance chart of key drivers: pure SVG, labels escaped."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cx.svg import GRID, INK, MUTED, document, text

FIX_FIRST = "#fde7e9"


def importance_performance(
    points: list[tuple[str, float, float]],
    *,
    metric: str,
    width: int = 640,
    height: int = 360,
) -> str:
    """Return the chart of (name, importance 0…1, performance) points.

    Importance runs right, the metric up; the lower right quadrant (important and
    below the median performance) is shaded: fix these first.
    """
    left, right, top, bottom = 56, 16, 16, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    top_importance = max([p[1] for p in points] + [0.01]) * 1.15
    values = [p[2] for p in points] or [0.0]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, 5.0)
    low, high = low - pad, high + pad
    middle_x = top_importance / 2
    middle_y = sorted(values)[len(values) // 2]

    def x_of(value: float) -> float:
        return left + plot_w * max(0.0, value) / top_importance

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    body = [
        f"<rect x='{x_of(middle_x):.1f}' y='{y_of(middle_y):.1f}' "
        f"width='{left + plot_w - x_of(middle_x):.1f}' "
        f"height='{top + plot_h - y_of(middle_y):.1f}' fill='{FIX_FIRST}'/>",
        text(left + plot_w - 4, top + plot_h - 6, _("Fix first"), size=12,
             anchor="end", weight="bold", fill="#a4262c"),
        f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' "
        f"y2='{top + plot_h}' stroke='{INK}'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='{INK}'/>",
        f"<line x1='{x_of(middle_x):.1f}' y1='{top}' x2='{x_of(middle_x):.1f}' "
        f"y2='{top + plot_h}' stroke='{GRID}' stroke-dasharray='4 3'/>",
        f"<line x1='{left}' y1='{y_of(middle_y):.1f}' x2='{left + plot_w}' "
        f"y2='{y_of(middle_y):.1f}' stroke='{GRID}' stroke-dasharray='4 3'/>",
        text(left + plot_w / 2, height - 12, _("Importance (share of explained variation)"),
             size=12, anchor="middle", fill=MUTED),
        text(14, top + plot_h / 2, metric.upper(), size=12, anchor="middle", fill=MUTED),
        text(left - 6, top + 12, f"{high:.0f}", size=12, anchor="end", fill=MUTED),
        text(left - 6, top + plot_h, f"{low:.0f}", size=12, anchor="end", fill=MUTED),
    ]  # fmt: skip
    for name, importance, performance in points:
        cx, cy = x_of(importance), y_of(performance)
        anchor = "end" if cx > left + plot_w * 0.7 else "start"
        dx = -8 if anchor == "end" else 8
        body.append(f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='5' fill='#0072B2'/>")
        label = name if len(name) <= 28 else name[:27] + "…"
        body.append(text(cx + dx, cy + 4, label, size=12, anchor=anchor))
    desc = "; ".join(
        f"{name}: {100 * importance:.1f} %, {metric.upper()} {performance:.0f}"
        for name, importance, performance in points
    )
    return document(
        width, height, _("Key drivers: importance and performance"), desc, body
    )
