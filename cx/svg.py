"""SVG primitives shared by the dashboard and the PDF report: every label escaped.

Charts are plain SVG strings (no JavaScript), so one chart serves the staff pages and
WeasyPrint alike; each has a <title> and a <desc> for screen readers and text search.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

INK = "#1a1a1a"
GRID = "#d0d0d0"
FONT = "font-family='DejaVu Sans, sans-serif'"


def text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start",
         weight: str = "normal", fill: str = INK) -> str:  # fmt: skip
    """Return an escaped <text> element."""
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
        f"font-weight='{weight}' fill='{fill}' {FONT}>{escape(content)}</text>"
    )


def document(width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    """Return an <svg> of ``body`` with an escaped title and description."""
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
        f"width='{width}' height='{height}' role='img'>"
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(body)}</svg>"
    )
