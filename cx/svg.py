"""SVG primitives shared by the dashboard and the PDF report: every label escaped.

Charts are plain SVG strings (no JavaScript), so one chart serves the staff pages and
WeasyPrint alike; each has a <title> and a <desc> for screen readers and text search.
A chart is drawn at its natural size in user units and scales through its viewBox; on a
page it is never drawn larger than that size, so a 12-unit label stays a 12 px label.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

INK = "#1a1a1a"
MUTED = "#595959"
GRID = "#d0d0d0"
FONT = "font-family='DejaVu Sans, sans-serif'"
# The smallest label a dashboard chart draws (px at natural size): readable on a phone.
MIN_LABEL = 12


def text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start",
         weight: str = "normal", fill: str = INK) -> str:  # fmt: skip
    """Return an escaped <text> element."""
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
        f"font-weight='{weight}' fill='{fill}' {FONT}>{escape(content)}</text>"
    )


def link(href: str | None, label: str, body: str) -> str:
    """Return ``body`` as a link to ``href`` named ``label`` (``body`` alone if none)."""
    if not href:
        return body
    return f"<a href={quoteattr(href)} aria-label={quoteattr(label)}>{body}</a>"


def document(
    width: int,
    height: int,
    title: str,
    desc: str,
    body: list[str],
    *,
    interactive: bool = False,
) -> str:
    """Return an <svg> of ``body`` with an escaped title and description.

    An ``interactive`` chart holds links, so it is a group of named parts rather than
    one image (whose parts a screen reader would not reach).
    """
    role = "group" if interactive else "img"
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
        f"width='{width}' height='{height}' role='{role}' "
        f"aria-label={quoteattr(title)}>"
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(body)}</svg>"
    )
