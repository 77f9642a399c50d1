"""Email rendering shared by every app: each email is three templates in one language.

``templates/<folder>/<name>_subject.txt``, ``<name>_body.txt`` and ``<name>_body.html``,
rendered by :func:`render` (the HTML one autoescaped, so names typed by customers stay
text). The apps that send email (surveys, followups, insights) build their messages
from what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render(
    name: str,
    context: dict[str, Any],
    *,
    language: str,
    folder: str,
) -> RenderedEmail:
    """Render the email ``name``'s three templates (in ``folder``) in ``language``."""
    with translation.override(language):
        context = {**context, "language": language}
        subject = render_to_string(f"{folder}/{name}_subject.txt", context)
        return RenderedEmail(
            subject=" ".join(subject.split()),  # one line, whatever the template
            text=render_to_string(f"{folder}/{name}_body.txt", context),
            html=render_to_string(f"{folder}/{name}_body.html", context),
        )
