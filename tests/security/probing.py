"""Helpers of the security tests: what a response shows, and what a tenant owns.

``leaked`` finds another tenant's strings in a response after removing what the request
itself sent (a search term or a path echoed back is not a leak). ``tenant_rows`` and
``cross_tenant_links`` look at the database directly, so a write is caught whatever the
view answered.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpResponseBase

from cx.models import Organization

CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def body_text(response: HttpResponseBase) -> str:
    """Return what a client reads of ``response``: text, unzipped XLSX, headers."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        raw = response.content  # type: ignore[attr-defined]
    if raw.startswith(b"PK"):  # an XLSX workbook: its XML parts, but not the clock
        with zipfile.ZipFile(io.BytesIO(raw)) as workbook:
            parts = [n for n in workbook.namelist() if not n.startswith("docProps/")]
            raw = b"".join(workbook.read(name) for name in parts)
    headers = " ".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + raw.decode("utf-8", errors="replace")


def strings_in(value: Any) -> Iterator[str]:
    """Yield every string leaf of a request body or query (keys and values)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)
    elif value is not None:
        yield str(value)


def leaked(text: str, markers: re.Pattern[str], sent: Iterable[str]) -> list[str]:
    """Return the markers in ``text`` once everything the request sent is removed."""
    for echoed in sorted({s for s in sent if len(s) >= 3}, key=len, reverse=True):
        text = text.replace(echoed, "")
    return sorted({match.lower() for match in markers.findall(text)})


def marker_pattern(
    strings: Iterable[str], words: Iterable[str] = ()
) -> re.Pattern[str]:
    """Return a case-insensitive pattern matching any of ``strings`` (or whole ``words``)."""
    parts = [re.escape(s) for s in sorted(set(strings), key=len, reverse=True) if s]
    parts += [rf"\b{re.escape(word)}\b" for word in words]
    return re.compile("|".join(parts), re.IGNORECASE)


def _organization_path(model: type[models.Model], depth: int = 0) -> str | None:
    """Return the lookup from ``model`` to its organisation ("" for Organization)."""
    if model is Organization:
        return ""
    foreign_keys = [
        f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)
    ]
    for fk in foreign_keys:
        if fk.related_model is Organization:
            return fk.name
    if depth < 2:
        for fk in foreign_keys:
            if fk.related_model is model:
                continue
            path = _organization_path(fk.related_model, depth + 1)
            if path:
                return f"{fk.name}__{path}"
    return None


def owned_by(model: type[models.Model], organization: Organization) -> models.QuerySet:
    """Return ``model``'s rows that belong to ``organization`` (none if it has no owner)."""
    if model is get_user_model():
        return model._default_manager.filter(memberships__organization=organization)
    path = _organization_path(model)
    if path is None:
        return model._default_manager.none()
    if path == "":
        return model._default_manager.filter(pk=organization.pk)
    return model._default_manager.filter(**{path: organization})


def tenant_rows(organization: Organization) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row the organisation owns, model by model (through tables too)."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        rows = owned_by(model, organization).order_by("pk")
        if model is get_user_model():
            rows = rows.distinct()
        fields = [f.attname for f in model._meta.concrete_fields]
        snapshot[model._meta.label] = list(rows.values_list(*fields))
    return snapshot


def snapshot_difference(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> list[str]:
    """Return the models whose rows differ between two ``tenant_rows`` snapshots."""
    return [label for label in before if before[label] != after.get(label)]


def cross_tenant_links(owner: Organization, foreign: Organization) -> list[str]:
    """Return ``owner``'s rows that point at ``foreign``'s objects or members.

    One organisation's trigger rule on another's survey, a touchpoint in another's
    journey, a process owned by another's staff member: each is a way in.
    """
    user_model = get_user_model()
    found = []
    for model in apps.get_models(include_auto_created=True):
        own = owned_by(model, owner)
        relations = [
            f
            for f in model._meta.get_fields()
            if f.is_relation
            and not f.auto_created
            and (f.many_to_one or f.many_to_many)
            and f.related_model not in (None, Organization)
        ]
        for relation in relations:
            target = relation.related_model
            if target is user_model:  # (in these tests nobody belongs to both)
                linked = own.filter(
                    **{f"{relation.name}__memberships__organization": foreign}
                )
            else:
                path = _organization_path(target)
                if not path:
                    continue
                linked = own.filter(**{f"{relation.name}__{path}": foreign})
            if linked.exists():
                found.append(f"{model._meta.label}.{relation.name}")
    return found


class FormHarvester(HTMLParser):
    """Collect the fields of an HTML page's forms as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, list[str]]] = {}
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = self.forms.setdefault(attr.get("id", str(len(self.forms))), {})
        if self._form is None:
            return
        name = attr.get("name", "")
        if tag == "input" and name:
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attr:
                return
            if kind in ("submit", "button", "file", "image"):
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.setdefault(name, []).append(attr.get("value", default))
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attr:
            self._form[self._select].append(attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.setdefault(name, []).append("")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def harvest_form(html: str, form_id_suffix: str = "_form") -> dict[str, list[str]]:
    """Return the fields of the page's form whose id ends with ``form_id_suffix``."""
    harvester = FormHarvester()
    harvester.feed(html)
    for form_id, fields in harvester.forms.items():
        if form_id.endswith(form_id_suffix):
            return fields
    return {}


def json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
