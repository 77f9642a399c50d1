"""What the isolation matrix tries: every API operation, every other route, every admin URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from cx.models import Membership
from followups.models import RootCause
from insights import metrics
from tests.security.conftest import Tenant, tenant_event
from tests.security.isolation import (
    NO_SUCH_ID,
    PUBLIC_LINKS,
    Target,
    renamed,
    swapped_references,
)
from tests.security.probing import (
    harvest_form,
    owned_by,
)

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
        "public-links": a.survey.pk,
        "memberships": Membership.objects.get(
            organization=a.organization, user=a.owner
        ).pk,
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
