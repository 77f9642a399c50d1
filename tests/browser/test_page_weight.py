"""The answer page is light on a phone connection and talks to no one but us."""

from __future__ import annotations

import gzip

import pytest
from django.core import mail

from tests.browser.conftest import application_submitted, on_live_server, survey_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET_BYTES = 30 * 1024


def test_the_answer_page_weighs_under_30_kb_compressed_and_is_all_ours(
    page, live_server, demo_api
):
    application_submitted(demo_api, 1, "fi")
    loaded: list[tuple[str, object]] = []
    page.on("requestfinished", lambda request: loaded.append((request.url, request)))

    page.goto(on_live_server(survey_link(mail.outbox[0]), live_server))
    page.wait_for_load_state("networkidle")

    urls = [url for url, _ in loaded]
    assert all(url.startswith(live_server.url + "/") for url in urls), urls
    kinds = {request.resource_type for _, request in loaded}
    assert kinds == {"document", "stylesheet", "script"}
    bodies = [request.response().body() for _, request in loaded]
    compressed = sum(len(gzip.compress(body)) for body in bodies)
    print(f"answer page: {len(bodies)} files, {compressed} bytes gzip-compressed")
    assert compressed < BUDGET_BYTES, f"{compressed} bytes compressed: {urls}"
