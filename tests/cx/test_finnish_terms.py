"""Finnish staff pages name a touchpoint with one word: "kohtaamispiste".

The source articles behind the product (and most of its Finnish) say
"kohtaamispiste"; "kosketuspiste" crept into some strings. A CX manager reading both
on one page would wonder whether they are two things.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "fi" / "LC_MESSAGES" / "django.mo"


def _finnish() -> dict[object, str]:
    with CATALOG.open("rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]


def test_every_finnish_string_about_touchpoints_says_kohtaamispiste():
    catalog = _finnish()
    about_touchpoints = {
        key: text
        for key, text in catalog.items()
        if "touchpoint" in str(key[0] if isinstance(key, tuple) else key).lower()
    }

    assert len(about_touchpoints) > 20
    assert not [t for t in catalog.values() if "kosketuspist" in t.lower()]
    assert all("kohtaamispist" in t.lower() for t in about_touchpoints.values()), [
        t for t in about_touchpoints.values() if "kohtaamispist" not in t.lower()
    ]


def test_the_feedback_list_in_finnish_says_kohtaamispiste(client, aino):
    client.force_login(aino)
    client.cookies["django_language"] = "fi"

    page = client.get("/feedback/").content.decode()

    assert "Kohtaamispiste" in page and "osketuspist" not in page
