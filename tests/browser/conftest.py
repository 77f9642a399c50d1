"""Browser tests: Debian's Chromium driven by Playwright against a live test server.

The pages run as a customer's phone would run them: real HTML, CSS and htmx, with
JavaScript on (and off, where the page must work without it). Accessibility is checked
with axe-core from the npm registry (``npm ci`` puts it in ``node_modules``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from cx.models import Organization
from cx.services.organizations import api_key_create

# Playwright's sync API runs an event loop in this thread; the test's own database calls
# are still synchronous, so Django's guard against ORM calls from async code is moot.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]


def chromium_path() -> str:
    return os.environ.get("CX_CHROMIUM", "/usr/bin/chromium")


def missing_browser_tools() -> str | None:
    """Return what the browser tests lack on this machine, or None."""
    if not Path(chromium_path()).exists():
        return f"needs Chromium at {chromium_path()} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright for Python (pip install -e '.[dev]')"
    if not AXE.exists():
        return "needs axe-core in node_modules (npm ci)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized browser tab, JavaScript on."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(
    browser, url: str, html: str | None = None
) -> list[tuple[str, list]]:  # type: ignore[no-untyped-def]
    """Open ``url`` and return what axe-core finds against WCAG 2.2 A/AA.

    ``html``, when given, replaces the document after loading (for a page state that
    only exists after an interaction, kept with ``page.content()``). The tab bypasses
    the page's Content-Security-Policy only to inject axe itself.
    """
    context = browser.new_context(bypass_csp=True)
    try:
        tab = context.new_page()
        tab.goto(url)
        if html is not None:
            tab.set_content(html)
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
    finally:
        context.close()
    assert len(result["passes"]) >= 10, "axe-core checked almost nothing"
    return [
        (v["id"], [node["html"][:200] for node in v["nodes"]])
        for v in result["violations"]
    ]


@pytest.fixture
def demo(transactional_db, settings) -> Organization:
    settings.CX_DEMO_HISTORY_DAYS = 0  # the map, surveys and rules; no history
    call_command("load_demo", verbosity=0)
    return Organization.objects.get(slug="demo")


@pytest.fixture
def demo_api(demo: Organization) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_key_create(organization=demo).secret_key}"
    )
    return client


def application_submitted(api: APIClient, n: int, language: str) -> None:
    """Post the demo's mortgage application event for customer ``n``."""
    response = api.post(
        "/api/v1/events/",
        {
            "event_id": f"browser-{n}",
            "type": "mortgage.application_submitted",
            "customer": {
                "external_id": f"browser-{n}",
                "email": f"browser{n}@example.com",
                "name": f"Aada Asiakas{n}",
                "language": language,
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def email_links(message) -> list[str]:  # type: ignore[no-untyped-def]
    html = message.alternatives[0][0]
    return re.findall(r'href="(http[^"]+)"', html)


def survey_link(message) -> str:  # type: ignore[no-untyped-def]
    """Return the email's plain link to the survey (no score chosen)."""
    return next(
        link
        for link in email_links(message)
        if "?" not in link and not link.endswith("/unsubscribe/")
    )


def on_live_server(link: str, live_server) -> str:  # type: ignore[no-untyped-def]
    """Return the email's ``link`` pointed at the live test server."""
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    return live_server.url + path
