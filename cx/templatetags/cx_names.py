"""``{{ touchpoint|localized_name }}``: a name the organisation gives, in the page's language.

Registered as a template builtin (``TEMPLATES`` in ``cx/settings.py``), so every
template can use it without ``{% load %}``.
"""

from __future__ import annotations

from django import template

from cx import names

register = template.Library()


@register.filter
def localized_name(named: names.Named | None, language: str = "") -> str:
    """Return the name in ``language`` (default: the active language), else its name."""
    return names.localized_name(named, language or None)
