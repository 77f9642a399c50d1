"""The answer page runs no inline script and loads scripts only from our static files."""

from __future__ import annotations

import re

from tests.cx.test_security import INLINE_SCRIPT


def test_the_answer_page_loads_scripts_only_from_static(client, api, chat_rule):
    from surveys.models import Invitation
    from tests.surveys.conftest import chat_event

    api.post("/api/v1/events/", chat_event(1), format="json")
    page = client.get(f"/s/{Invitation.objects.get().token()}/")

    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert not INLINE_SCRIPT.search(page.content)
    sources = re.findall(rb'<script[^>]*src="([^"]+)"', page.content)
    assert sources and all(src.startswith(b"/static/") for src in sources)
