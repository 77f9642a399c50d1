"""The reliability chart: predicted risk against the observed rate, per bin (SVG).

Shared by the staff page and the maturity report. Each bin is a dot at (mean predicted
risk, observed outcome rate) with its Wilson 95 % interval as a whisker; a perfectly
calibrated model lies on the diagonal.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cx import svg

WIDTH, HEIGHT = 360, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 16, 48
DOT = "#0b5cad"


def reliability(table: list[dict[str, Any]]) -> str:
    """Return the reliability chart of a model card's reliability table."""
    top = max(
        [0.1, *(row["high"] for row in table), *(row["predicted"] for row in table)]
    )
    top = min(1.0, round(top + 0.05, 1))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: float) -> float:
        return LEFT + inner_w * min(value, top) / top

    def y(value: float) -> float:
        return TOP + inner_h * (1 - min(value, top) / top)

    body = []
    ticks = [round(top * k / 4, 2) for k in range(5)]
    for tick in ticks:
        body.append(
            f"<line x1='{LEFT}' x2='{WIDTH - RIGHT}' y1='{y(tick):.1f}' "
            f"y2='{y(tick):.1f}' stroke='{svg.GRID}'/>"
        )
        body.append(
            svg.text(LEFT - 6, y(tick) + 4, f"{tick:.0%}", size=12, anchor="end")
        )
        body.append(svg.text(x(tick), HEIGHT - BOTTOM + 16, f"{tick:.0%}", size=12,
                             anchor="middle"))  # fmt: skip
    body.append(
        f"<line x1='{x(0):.1f}' y1='{y(0):.1f}' x2='{x(top):.1f}' y2='{y(top):.1f}' "
        f"stroke='{svg.MUTED}' stroke-dasharray='4 3'/>"
    )
    for row in table:
        cx, low, high = x(row["predicted"]), y(row["low"]), y(row["high"])
        body.append(
            f"<line x1='{cx:.1f}' x2='{cx:.1f}' y1='{low:.1f}' y2='{high:.1f}' "
            f"stroke='{DOT}' stroke-width='2'/>"
        )
        body.append(
            f"<circle cx='{cx:.1f}' cy='{y(row['observed']):.1f}' r='4' fill='{DOT}'>"
            f"<title>{row['n']}</title></circle>"
        )
    body.append(
        svg.text(LEFT + inner_w / 2, HEIGHT - 8, _("Predicted risk"), size=12,
                 anchor="middle", fill=svg.MUTED)
    )  # fmt: skip
    body.append(
        f"<g transform='translate(14 {TOP + inner_h / 2:.1f}) rotate(-90)'>"
        + svg.text(0, 0, _("Observed rate"), size=12, anchor="middle", fill=svg.MUTED)
        + "</g>"
    )
    desc = "; ".join(
        _("predicted %(p).0f %%, observed %(o).0f %% (n = %(n)s)")
        % {"p": row["predicted"] * 100, "o": row["observed"] * 100, "n": row["n"]}
        for row in table
    )
    return svg.document(WIDTH, HEIGHT, _("Reliability on the test period"), desc, body)
