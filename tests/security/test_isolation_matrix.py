"""Organisation B, or nobody, can neither read nor change anything of organisation A.

The world (``tests/security/conftest.py``): A is Aurora Bank (owner Aino), B is Other Oy
(owner Olli); each has one of everything, built through the product's own services.

Who tries: B's API key, B's staff user (logged in), A's revoked API key, no credentials.

What they try, enumerated so that a new route is covered without editing this file:

- every API operation of the OpenAPI schema (drf-spectacular's generator), checked
  against the URL resolver so that no API route is left out of the schema; path
  parameters name A's objects, and list filters that take an id are given A's ids;
- every other route of the URL resolver (staff pages, report download, exports, email
  provider webhooks, …) with A's objects as parameters, plain and with ``?org=<A>``;
- every admin URL of every ``ModelAdmin`` in ``admin.site._registry`` (changelist,
  search, add, change, delete, history, custom views) for A's object of that model,
  every admin action on it, the admin's autocomplete for every relation, and the
  pages ``view_on_site`` would lead to.

GET, POST, PUT, PATCH and DELETE (the admin's views act on POST only and answer the
others as a GET, so there GET and POST), each write with a plausible body: A's own
representation (API) or A's own change form as its owner submits it (admin), renamed so
that a copy is recognisable but keeping A's ids in every reference. B also edits its
*own* objects with one reference swapped for A's (a rule on A's survey, a touchpoint in
A's process, a process owned by A's staff member). Not probed: the admin's login,
logout and password pages, which concern only the caller's own account.

A success is any of: a 2xx on a URL that names one of A's objects; a 2xx or 3xx whose
body or headers show A's strings (names, keys, secrets, tokens, report links), not
counting what the request itself sent; an aggregate filtered by A's ids that answers
otherwise than for an id that does not exist; any change to A's rows; any row of B's
that points at A's objects or staff. The matrix asserts 0 successes (and no 5xx).

Public links are different: A's answer link ``/s/<token>/``, its unsubscribe link and
A's public survey link ``/p/<token>/`` are bearer links, usable by whoever holds them,
with or without credentials. For them the rule is that B's credentials add nothing:
every identity gets the status and page that no credentials get, and once B's staff user
has answered through A's public link, B still reads nothing else of A's (the response
it created included).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from cx.models import ApiKey, Membership, Role
from cx.services.organizations import member_add
from followups.models import RootCause
from insights import metrics
from surveys.models import Response
from tests.counts import ABUSE
from tests.security.conftest import Tenant, tenant_event
from tests.security.probing import (
    CSRF_VALUE,
    body_text,
    cross_tenant_links,
    harvest_form,
    json_or_none,
    leaked,
    marker_pattern,
    owned_by,
    snapshot_difference,
    strings_in,
    tenant_rows,
)

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Django's admin views act on POST only and answer PUT, PATCH and DELETE as a GET.
ADMIN_METHODS = ("GET", "POST")
PUBLIC_LINKS = {"surveys:answer", "surveys:public-link", "surveys:unsubscribe"}
NO_SUCH_ID = 2_000_000_000


@dataclass
class Target:
    """One URL to try, with what counts as A's and the bodies for each write."""

    url: str
    kind: str  # api, page, admin, webhook
    names_object: bool  # the URL names one of A's objects
    json: bool = False
    bodies: dict[str, list[Any]] = field(default_factory=dict)
    control: str | None = None  # the same question about an object that does not exist
    methods: tuple[str, ...] = METHODS

    def __post_init__(self) -> None:
        if self.kind == "admin" and self.methods == METHODS:
            self.methods = ADMIN_METHODS

    def bodies_for(self, method: str) -> list[Any]:
        if method == "GET":
            return [None]
        return self.bodies.get(method) or self.bodies.get("*") or [{}]


@dataclass
class Attempt:
    identity: str
    kind: str
    method: str
    url: str
    status: int
    success: str | None = None


@pytest.fixture
def world(tenant, aurora, aino, api, other_org, olli, outsider_api):  # type: ignore[no-untyped-def]
    return tenant(aurora, aino, api, "aurora"), tenant(
        other_org, olli, outsider_api, "other"
    )


def identities(a: Tenant, b: Tenant) -> dict[str, Client]:
    b_key = b.api
    b_key.raise_request_exception = False
    b_staff = Client(raise_request_exception=False)
    b_staff.force_login(b.owner)
    revoked = APIClient(raise_request_exception=False)
    revoked.credentials(HTTP_AUTHORIZATION=f"Bearer {a.revoked_secret}")
    return {
        "B's API key": b_key,
        "B's staff user": b_staff,
        "A's revoked key": revoked,
        "no credentials": Client(raise_request_exception=False),
    }


def markers_of(a: Tenant) -> re.Pattern[str]:
    """Return what only A's data contains: its prefix, secrets, tokens, report links."""
    invitations = [a.answered, a.open_invitation, a.failed_invitation]
    strings = [
        a.prefix,
        a.organization.name,
        a.owner.email,
        a.endpoint.secret,
        a.survey.public_token,
        a.revoked_key.lookup,
        a.revoked_key.digest,
        a.api.api_key.lookup,
        a.api.api_key.digest,
        f"/maturity/assessments/{a.assessment.pk}/report.pdf",
        f"/maturity/{a.assessment.pk}/report.pdf",
        *(invitation.token() for invitation in invitations),
        *(invitation.token_hash for invitation in invitations),
        *(invitation.token_salt for invitation in invitations),
    ]
    return marker_pattern(strings, words=[a.owner.username])


def renamed(value: Any, prefix: str) -> Any:
    """Return ``value`` with A's prefix replaced, so that a copy is not A's."""
    if isinstance(value, str):
        return re.sub(
            prefix,
            lambda m: "Mallory" if m.group()[0].isupper() else "mallory",
            value,
            flags=re.IGNORECASE,
        )
    if isinstance(value, dict):
        return {key: renamed(item, prefix) for key, item in value.items()}
    if isinstance(value, list):
        return [renamed(item, prefix) for item in value]
    return value


def _is_reference(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, str) and v.isdigit())
        for v in values
    )


def swapped_references(
    own: dict[str, Any], theirs: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Yield ``own`` with one reference (an id, or ids) replaced by A's."""
    for key, value in theirs.items():
        if key in own and own[key] != value and _is_reference(value):
            if key in ("id",) or key.endswith(("-id", "TOTAL_FORMS", "INITIAL_FORMS")):
                continue
            yield {**own, key: value}


# --- The API --------------------------------------------------------------------------


def api_schema_operations() -> dict[str, dict[str, Any]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: ops
        for path, ops in schema["paths"].items()
        if path.startswith("/api/v1/")
    }


def api_route_names() -> set[str]:
    """Return the names of every route the resolver serves under /api/v1/."""
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif prefix.startswith("api/v1/"):
                names.add(pattern.name or str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return names


def api_objects(a: Tenant) -> dict[str, object]:
    """A's object for each API resource; a new resource needs a line here."""
    return {
        "customers": a.customer.external_id,
        "events": a.event.pk,
        "segments": a.segment.pk,
        "processes": a.process.pk,
        "journeys": a.journey.pk,
        "touchpoints": a.touchpoint.pk,
        "surveys": a.survey.pk,
        "trigger-rules": a.rule.pk,
        "invitations": a.answered.pk,
        "suppressions": a.suppression.pk,
        "responses": a.response.pk,
        "maturity/assessments": a.assessment.pk,
        "webhook-endpoints": a.endpoint.pk,
        "webhook-deliveries": a.delivery.pk,
        "predictions/definitions": a.prediction.pk,
        "predictions/versions": a.model_version.pk,
        "predictions/customers": a.customer.external_id,
        "themes": a.theme.pk,
        "followups": a.followup.pk,
    }


def _api_url(path: str, objects: dict[str, object]) -> str:
    if "{" not in path:
        return path
    rest = path.removeprefix("/api/v1/")
    resource = max(
        (name for name in objects if rest.startswith(name + "/{")),
        key=len,
        default=None,
    )
    assert resource is not None, f"No object of A's for {path}: add it to api_objects()"
    return re.sub(r"\{[^}]+\}", str(objects[resource]), path)


def _representation_for(path: str, representations: dict[str, Any]) -> Any:
    """Return A's representation of the object ``path`` is about, or of its kind."""
    for detail, representation in representations.items():
        collection, _, _rest = detail.partition("{")
        if path == collection or path.startswith(detail):
            return representation
    return None


def api_targets(a: Tenant, b: Tenant) -> list[Target]:
    operations = api_schema_operations()
    objects = api_objects(a)
    covered = set()
    for path in operations:
        url = _api_url(path, objects)
        covered.add(resolve(url.split("?")[0]).url_name)
    missing = api_route_names() - covered
    assert not missing, f"API routes missing from the OpenAPI schema: {missing}"

    # What A's own client reads of each object: the plausible body of every write.
    representations: dict[str, Any] = {}
    b_representations: dict[str, Any] = {}
    b_objects = api_objects(b)
    for path, ops in operations.items():
        if "{" in path and "get" in ops and not path.endswith(".pdf"):
            got = a.api.get(_api_url(path, objects))
            if got.status_code == 200 and got["Content-Type"] == "application/json":
                representations[path] = got.json()
                mine = b.api.get(_api_url(path, b_objects))
                b_representations[path] = (_api_url(path, b_objects), mine.json())
    when = "2026-03-04T12:00:00Z"
    special: dict[str, list[Any]] = {
        "/api/v1/events/": [tenant_event("mallory", 1)],
        "/api/v1/events/batch/": [{"events": [tenant_event("mallory", 2)]}],
        "/api/v1/responses/import/": [
            {
                "survey": a.survey.pk,
                "responses": [{"completed_at": when, "answers": {"nps": 10}}],
            },
            {
                "survey": b.survey.pk,
                "responses": [
                    {
                        "completed_at": when,
                        "answers": {"nps": 10},
                        "touchpoint": a.touchpoint.pk,
                        "customer": a.customer.external_id,
                        "anonymous": False,
                    }
                ],
            },
        ],
        "/api/v1/maturity/assessments/": [{}],
        "/api/v1/maturity/self-assessment/": [{"answers": {"cx_targets": 4}}],
    }
    ids: dict[str, object] = {
        "survey": a.survey.pk,
        "touchpoint": a.touchpoint.pk,
        "journey": a.journey.pk,
        "process": a.process.pk,
        "segment": a.segment.pk,
        "rule": a.rule.pk,
        "endpoint": a.endpoint.pk,
        "customer": a.customer.external_id,
    }

    targets: list[Target] = []
    for path, ops in operations.items():
        url = _api_url(path, objects)
        detail = _representation_for(path, representations)
        copy = renamed(detail, a.prefix) if detail is not None else {}
        bodies = {"*": special.get(path) or [copy]}
        targets.append(Target(url, "api", "{" in path, json=True, bodies=bodies))
        # Lists and aggregates, filtered by A's ids: one filter at a time, then all.
        get = ops.get("get")
        if get is None or "{" in path:
            continue
        params = {p["name"]: p for p in get.get("parameters", []) if p["in"] == "query"}
        base: dict[str, object] = {}
        for name, param in params.items():
            enum = param.get("schema", {}).get("enum") or []
            if param.get("required"):
                base[name] = "count" if "count" in enum else (enum or ["1"])[0]
        filters = [name for name in params if name in ids]
        variants = [{name: ids[name]} for name in filters]
        if len(filters) > 1:
            variants.append({name: ids[name] for name in filters})
        for variant in variants:
            query = {**base, **variant}
            nothing = {
                name: (NO_SUCH_ID if isinstance(value, int) else "no-such-thing")
                for name, value in variant.items()
            }
            targets.append(
                Target(
                    f"{path}?{urlencode(query)}",
                    "api",
                    False,
                    json=True,
                    control=f"{path}?{urlencode({**base, **nothing})}",
                )
            )
        if "group_by" in params:
            for dimension in metrics.DIMENSIONS:
                query = {**base, "group_by": dimension}
                targets.append(
                    Target(f"{path}?{urlencode(query)}", "api", False, json=True)
                )
    # B edits its own objects with one reference swapped for A's.
    for path, (own_url, own) in b_representations.items():
        theirs = representations[path]
        for swapped in swapped_references(own, theirs):
            edit = {"*": [swapped]}
            targets.append(
                Target(own_url, "api", False, True, edit, methods=("PATCH", "PUT"))
            )
            add = {"*": [renamed(swapped, b.prefix)]}
            collection = path.split("{")[0]
            targets.append(
                Target(collection, "api", False, True, add, methods=("POST",))
            )
    return targets


# --- Every other route of the resolver ------------------------------------------------


def resolver_routes() -> Iterator[tuple[str, list[str]]]:
    """Yield (namespaced name, parameters) of every route outside the admin and API."""

    def walk(
        patterns: list[Any], prefix: str, namespace: list[str]
    ) -> Iterator[tuple[str, list[str]]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                spaces = namespace + ([pattern.namespace] if pattern.namespace else [])
                yield from walk(pattern.url_patterns, route, spaces)
                continue
            if route.startswith(("admin/", "api/v1/")):
                continue
            assert isinstance(pattern, URLPattern)
            assert pattern.name, f"Unnamed route {route}: name it, so it can be probed"
            yield (
                ":".join([*namespace, pattern.name]),
                list(pattern.pattern.regex.groupindex),
            )

    yield from walk(get_resolver().url_patterns, "", [])


def bounce_of(a: Tenant) -> dict[str, object]:
    invitation = a.open_invitation
    return {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "ID": 42,
        "Email": invitation.email,
        "Metadata": {"cx_invitation": str(invitation.pk)},
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account does not exist",
        "BouncedAt": "2026-11-22T10:00:00Z",
    }


def page_targets(a: Tenant) -> list[Target]:
    arguments: dict[str, dict[str, list[object]]] = {
        "maturity:report": {"pk": [a.assessment.pk]},
        "followups:detail": {"pk": [a.followup.pk]},
        "feedback:detail": {"pk": [a.response.pk]},
        "insights:export": {"fmt": ["csv", "xlsx"]},
        "predictions:customer": {"pk": [a.customer.pk]},
        "insights:theme_edit": {"pk": [a.theme.pk]},
    }
    bodies: dict[str, list[Any]] = {
        "feedback:detail": [
            {"note": "Mallory note"},
            {"tag": "mallory-tag"},
            {"tag": a.tag.name, "remove": "1"},
        ],
        "followups:detail": [
            {"action": "start"},
            {"root_cause": RootCause.values[0], "action_taken": "Mallory closed it"},
        ],
        "set_language": [{"language": "fi"}],
        "insights:theme_edit": [{"action": "rename", "label": "Mallory theme"}],
    }
    filters = urlencode(
        {
            "survey": a.survey.pk,
            "touchpoint": a.touchpoint.pk,
            "journey": a.journey.pk,
            "process": a.process.pk,
            "segment": a.segment.key,
            "tag": a.tag.name,
            "q": "advisor",
        }
    )
    targets = []
    token_routes = set()
    for name, parameters in resolver_routes():
        if "token" in parameters:
            token_routes.add(name)
            continue
        webhook = ":anymail:" in name
        route_bodies = bodies.get(name) or (
            [bounce_of(a), {}] if name.endswith("postmark_tracking_webhook") else [{}]
        )
        if not parameters:
            urls = [reverse(name)]
        else:
            known = arguments.get(name)
            assert known and set(known) == set(parameters), (
                f"No object of A's for the route {name}{parameters}: add it"
            )
            urls = [
                reverse(name, kwargs={parameters[0]: value})
                for value in known[parameters[0]]
            ]
        for url in urls:
            names_object = name in arguments and name != "insights:export"
            kind = "webhook" if webhook else "page"
            variants = [url]
            if ":" in name and not webhook:  # a staff page of one of the apps
                variants.append(f"{url}?org={a.organization.slug}")
                if not parameters:
                    variants.append(f"{url}?{filters}")
            for variant in variants:
                targets.append(
                    Target(
                        variant,
                        kind,
                        names_object,
                        json=webhook,
                        bodies={"*": route_bodies},
                    )
                )
    assert token_routes == PUBLIC_LINKS, (
        f"Routes with a token: {token_routes}. A new public link needs its rule here."
    )
    return targets


# --- The admin ------------------------------------------------------------------------


def _a_object(model: type[models.Model], a: Tenant) -> models.Model | None:
    if model is get_user_model():
        return a.owner
    return owned_by(model, a.organization).order_by("pk").first()


def _change_form(client: Client, model: type[models.Model], pk: object) -> dict:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    return harvest_form(client.get(url).content.decode())


def _model_admin_targets(
    model: type[models.Model], model_admin: Any, a: Tenant, b: Tenant, staff: dict
) -> list[Target]:
    """Return the URLs of one ModelAdmin, for A's object of its model."""
    opts = model._meta
    obj = _a_object(model, a)
    if obj is None and opts.label != "auth.Group":  # groups belong to nobody
        pytest.fail(f"A has no {opts.label}: add one to the tenant builder")
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    original = _change_form(staff["aino"], model, obj.pk) if obj else {}
    forms = [renamed(original, a.prefix)]
    if "user" in original:  # B's staff user makes itself a member of A
        forms.append({**forms[0], "user": [str(b.owner.pk)]})
    actions = [name for name, _ in admin.site.actions] + list(model_admin.actions or [])
    selected = [
        {"action": action, "_selected_action": [obj.pk], "index": "0", "post": "yes"}
        for action in actions
        if obj is not None
    ]
    targets = [Target(changelist, "admin", False, bodies={"*": selected or [{}]})]
    if model_admin.search_fields:
        targets.append(Target(f"{changelist}?q={a.prefix}", "admin", False))
    for pattern in model_admin.get_urls():
        parameters = list(pattern.pattern.regex.groupindex)
        if parameters and obj is None:
            continue
        if pattern.name is None:  # the bare <object_id>/ that redirects to the change
            targets.append(Target(f"{changelist}{obj.pk}/", "admin", True))  # type: ignore[union-attr]
            continue
        if pattern.name.endswith("_changelist"):
            continue
        kwargs = {parameter: obj.pk for parameter in parameters}  # type: ignore[union-attr]
        url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
        if pattern.name.endswith("_delete"):
            bodies: list[Any] = [{"post": "yes"}]
        elif pattern.name.endswith(("_change", "_add")):
            bodies = forms
        else:
            bodies = [{}]
        targets.append(Target(url, "admin", bool(parameters), bodies={"*": bodies}))
    if obj is not None:
        content_type = ContentType.objects.get_for_model(model)
        on_site = reverse("admin:view_on_site", args=[content_type.pk, obj.pk])
        targets.append(Target(on_site, "admin", True))
    # B's own object, with one reference swapped for A's, changed and added.
    own = _a_object(model, b) if model is not get_user_model() else None
    if own is not None and original:
        own_change = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change", args=[own.pk]
        )
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        own_form = _change_form(staff["olli"], model, own.pk)
        for swapped in swapped_references(own_form, original):
            edit, copy = {"*": [swapped]}, {"*": [renamed(swapped, b.prefix)]}
            targets.append(
                Target(own_change, "admin", False, bodies=edit, methods=("POST",))
            )
            targets.append(Target(add, "admin", False, bodies=copy, methods=("POST",)))
    # The autocomplete of every relation whose target has an admin with a search.
    for relation in opts.get_fields():
        if not (relation.is_relation and relation.concrete and relation.related_model):
            continue
        remote = admin.site._registry.get(relation.related_model)
        if remote is None or not remote.search_fields:
            continue
        query = urlencode({"app_label": opts.app_label, "model_name": opts.model_name,
                           "field_name": relation.name, "term": ""})  # fmt: skip
        autocomplete = f"{reverse('admin:autocomplete')}?{query}"
        targets.append(Target(autocomplete, "admin", False))
    return targets


def admin_targets(a: Tenant, b: Tenant) -> list[Target]:
    staff = {"aino": Client(), "olli": Client()}
    staff["aino"].force_login(a.owner)
    staff["olli"].force_login(b.owner)
    labels = {model._meta.app_label for model in admin.site._registry}
    targets = [
        Target(reverse("admin:index"), "admin", False),
        Target(reverse("admin:jsi18n"), "admin", False),
        *(Target(reverse("admin:app_list", args=[label]), "admin", False) for label in labels),
    ]  # fmt: skip
    for model, model_admin in admin.site._registry.items():
        targets += _model_admin_targets(model, model_admin, a, b, staff)
    return targets


# --- Running it -----------------------------------------------------------------------


def send(client: Client, method: str, target: Target, body: Any) -> HttpResponseBase:
    if method == "GET":
        return client.get(target.url)
    if target.json:
        data = "" if body is None else json.dumps(body)
        return client.generic(method, target.url, data, content_type="application/json")
    if method == "POST":
        return client.post(target.url, body or {})
    return client.generic(
        method,
        target.url,
        urlencode(body or {}, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )


def _accepted(target: Target, response: HttpResponseBase) -> bool:
    """Return whether a write may have been carried out (then the rows are compared).

    Refusals are a 4xx, a redirect to a login page, and an admin form shown again
    (200) with its errors; whatever they let through is still caught by the final
    comparison, only not pinned to one request.
    """
    status = response.status_code
    location = response.get("Location", "")
    if status >= 400 or location.startswith((settings.LOGIN_URL, "/admin/login/")):
        return False
    return status >= 300 if target.kind == "admin" else True


def _comparable(text: str) -> object:
    """Return the body of ``body_text``'s text: parsed JSON, or the text itself."""
    content = text.split("\n", 1)[1]
    parsed = json_or_none(content)
    return content if parsed is None else parsed


def judge(
    target: Target,
    method: str,
    body: Any,
    response: HttpResponseBase,
    client: Client,
    markers: re.Pattern[str],
) -> str | None:
    """Return how an answer reveals A's data, or None when it does not."""
    status = response.status_code
    if status >= 400:
        return None
    if status < 300 and target.names_object:
        return "a 2xx on A's object"
    text = body_text(response)
    sent = [target.url, *re.split(r"[/?&=]", target.url), *strings_in(body)]
    found = leaked(text, markers, sent)
    if found:
        return f"shows A's {found}"
    if target.control and method == "GET" and status < 300:
        control = body_text(client.get(target.control))
        if _comparable(control) != _comparable(text):
            return "answers differently for A's ids"
    return None


def run_matrix(
    a: Tenant, b: Tenant, clients: dict[str, Client], targets: list[Target]
) -> tuple[list[Attempt], list[str]]:
    """Try every target as every identity; return the attempts and any 5xx."""
    markers = markers_of(a)
    baseline = tenant_rows(a.organization)
    known_links = set(cross_tenant_links(b.organization, a.organization))
    assert not known_links
    attempts: list[Attempt] = []
    problems: list[str] = []

    def writes_landed(identity: str, kind: str, url: str) -> None:
        nonlocal baseline, known_links
        now = tenant_rows(a.organization)
        changed = snapshot_difference(baseline, now)
        links = set(cross_tenant_links(b.organization, a.organization))
        if changed or links - known_links:
            new_links = sorted(links - known_links)
            found = f"changed A's {changed} / linked B's {new_links} to A"
            attempts.append(Attempt(identity, kind, "WRITE", url, 0, found))
            baseline, known_links = now, links

    def identities_kept(url: str) -> None:
        """Give B back its staff membership if a probe took it (and count that)."""
        if not Membership.objects.filter(
            organization=b.organization, user=b.owner, role=Role.OWNER
        ).exists():
            attempts.append(
                Attempt("B's staff user", "admin", "WRITE", url, 0, "B's seat moved")
            )
            Membership.objects.filter(organization=b.organization).delete()
            member_add(organization=b.organization, user=b.owner, role=Role.OWNER)
        assert ApiKey.objects.active().filter(pk=b.api.api_key.pk).exists(), url

    for target in targets:
        identities_kept(target.url)
        for identity, client in clients.items():
            wrote = False
            for method in target.methods:
                for body in target.bodies_for(method):
                    response = send(client, method, target, body)
                    status = response.status_code
                    attempt = Attempt(identity, target.kind, method, target.url, status)
                    attempt.success = judge(
                        target, method, body, response, client, markers
                    )
                    attempts.append(attempt)
                    if status >= 500:
                        problems.append(f"{status}: {identity} {method} {target.url}")
                    wrote |= method != "GET" and _accepted(target, response)
            if wrote:
                writes_landed(identity, target.kind, target.url)
    writes_landed("anyone", "any", "(the whole matrix, compared at its end)")
    return attempts, problems


def report(title: str, attempts: list[Attempt]) -> list[Attempt]:
    successes = [attempt for attempt in attempts if attempt.success]
    print(f"\n{title}: {len(attempts)} attempts, {len(successes)} successes")
    by_identity = Counter(attempt.identity for attempt in attempts)
    by_kind = Counter(attempt.kind for attempt in attempts)
    print("  by identity:", dict(by_identity))
    print("  by surface:", dict(by_kind))
    for attempt in successes[:60]:
        print(f"  SUCCESS {attempt.identity} {attempt.method} {attempt.url} "
              f"[{attempt.status}]: {attempt.success}")  # fmt: skip
    return successes


def test_nothing_of_a_is_reachable_by_b_or_by_nobody(world, count_report):
    a, b = world
    targets = api_targets(a, b) + page_targets(a) + admin_targets(a, b)
    clients = identities(a, b)

    attempts, problems = run_matrix(a, b, clients, targets)

    successes = report("isolation matrix", attempts)
    count_report.add(
        ABUSE,
        check="B, a revoked key, nobody: every API route, staff page, admin URL",
        attempts=len(attempts),
        got_through=len(successes),
    )
    assert len(attempts) > 1000
    assert not problems, problems[:20]
    assert len(successes) == 0


# --- Public links ---------------------------------------------------------------------


def _page(response: HttpResponseBase) -> tuple[int, str, str]:
    text = body_text(response).split("\n", 1)[1]
    return (
        response.status_code,
        response.get("Content-Type", ""),
        CSRF_VALUE.sub(r"\1\2", text),
    )


def test_a_link_of_a_gives_b_nothing_more_than_it_gives_anyone(world, count_report):
    a, b = world
    clients = identities(a, b)
    links = [
        a.answer_url,
        f"{a.answer_url}?score=3",
        f"{a.answer_url}unsubscribe/",
        f"/s/{a.answered.token()}/",
        a.public_url,
    ]
    attempts: list[Attempt] = []
    for link in links:
        Client().get(link)  # the first view marks the invitation opened
        for method, body in (("GET", None), ("POST", {"question": "no-such-question"})):
            if link.endswith("unsubscribe/") and method == "POST":
                body = {}
            reference = _page(
                Client().generic(
                    method,
                    link,
                    urlencode(body or {}),
                    content_type="application/x-www-form-urlencoded",
                )
            )
            for identity, client in clients.items():
                response = client.generic(
                    method, link, urlencode(body or {}),
                    content_type="application/x-www-form-urlencoded",
                )  # fmt: skip
                attempt = Attempt(
                    identity, "public link", method, link, response.status_code
                )
                if _page(response) != reference:
                    attempt.success = "answers otherwise than to no credentials"
                attempts.append(attempt)

    # B's staff user answers through A's public link; its session now holds A's response.
    b_staff = clients["B's staff user"]
    b_staff.post(a.public_url, {"question": "nps", "answer": ["9"]})
    created = Response.objects.filter(
        organization=a.organization, origin="public_link"
    ).get()
    markers = markers_of(a)
    reads = {
        "B's staff user": [
            f"/feedback/{created.pk}/",
            f"/admin/surveys/response/{created.pk}/change/",
            "/feedback/",
            "/admin/surveys/response/",
            "/dashboard/",
        ],
        "B's API key": [f"/api/v1/responses/{created.pk}/", "/api/v1/responses/"],
    }
    for identity, urls in reads.items():
        for url in urls:
            response = clients[identity].get(url)
            attempt = Attempt(
                identity, "after the link", "GET", url, response.status_code
            )
            if 200 <= response.status_code < 300 and str(created.pk) in url:
                attempt.success = "reads the response it gave through A's link"
            elif found := leaked(body_text(response), markers, [url]):
                attempt.success = f"shows A's {found}"
            attempts.append(attempt)

    successes = report("public links", attempts)
    count_report.add(
        ABUSE,
        check="A's answer and public links used by B: more than anyone gets",
        attempts=len(attempts),
        got_through=len(successes),
    )
    assert len(successes) == 0
