"""Names the organisation gives, per language: journeys, touchpoints, processes, segments.

Each such model has its ``name`` (the organisation's own, in whatever language it was
typed) and ``name_translations``, an object of language code → name. Every page, email
and report shows a name through :func:`localized_name` (templates: the
``localized_name`` filter), so a Finnish reader sees the Finnish name where one is given
and the organisation's own name otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cx.models.tenancy import Language

NAME_MAX_LENGTH = 200
NAME_TRANSLATIONS_HELP = _(
    'Optional, per language: {"fi": "Asuntolaina", "sv": "Bolån", "en": "Mortgage"}. '
    "A language left out shows the name above."
)


class Named(Protocol):
    name: str
    name_translations: Mapping[str, str]


def validate_name_translations(value: object) -> None:
    """Require an object of known language code → name of at most 200 characters."""
    if not isinstance(value, dict) or not all(
        isinstance(name, str) for name in value.values()
    ):
        raise ValidationError(
            _('Give the names as an object of language code → name, e.g. {"fi": "…"}.')
        )
    unknown = set(value) - set(Language.values)
    if unknown:
        raise ValidationError(
            _("Unknown language(s): %(codes)s."),
            params={"codes": ", ".join(sorted(map(str, unknown)))},
        )
    if any(len(name) > NAME_MAX_LENGTH for name in value.values()):
        raise ValidationError(
            _("A name has at most %(limit)d characters."),
            params={"limit": NAME_MAX_LENGTH},
        )


def translated_name(
    name: str, translations: Mapping[str, Any] | None, language: str | None = None
) -> str:
    """Return the name in ``language`` (default: the active one), else ``name``.

    For rows read with ``values()``; objects go through :func:`localized_name`.
    """
    language = (language or get_language() or "")[:2]
    given = (translations or {}).get(language)
    return given.strip() if isinstance(given, str) and given.strip() else name


def localized_name(named: Named | None, language: str | None = None) -> str:
    """Return the object's name in ``language`` (default: the active one).

    A language without a name of its own falls back to the organisation's ``name``;
    ``None`` (no touchpoint, no journey) gives "".
    """
    if named is None:
        return ""
    return translated_name(
        named.name, getattr(named, "name_translations", None), language
    )
