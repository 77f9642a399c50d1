"""What the role matrix tries (admin, staff pages, API) and how it runs and judges."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from cx.models import Organization, Role
from cx.roles import Scope
from followups.models import RootCause
from maturity.method import SELF_ASSESSMENT_ITEM_KEYS
from tests.security.conftest import Tenant, tenant_event
from tests.security.isolation import renamed
from tests.security.isolation_targets import (
    _api_url,
    _change_form,
    _representation_for,
    api_objects,
    api_schema_operations,
    resolver_routes,
)
from tests.security.probing import owned_by
from tests.security.roles import (
    ACTION_PERMISSIONS,
    ANY_MEMBER,
    CUSTOM_ADMIN_VIEWS,
    DELETE_PERMISSIONS,
    MODEL_PERMISSIONS,
    STAFF_ROUTES,
    Outcome,
    Try,
    allowed,
    key_of,
    logged_in,
    scope_allows,
    state_of,
)

# --- What to try ----------------------------------------------------------------------


def admin_tries(world: Tenant) -> list[Try]:
    owner = logged_in(world.owner)
    tries = [Try("admin", "GET", reverse("admin:index"), None, ANY_MEMBER)]
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        assert label in MODEL_PERMISSIONS, f"{label}: say who may view and change it"
        view, change = MODEL_PERMISSIONS[label]
        delete = DELETE_PERMISSIONS.get(label, change)
        opts = model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        obj = world.owner if model is get_user_model() else None
        obj = obj or owned_by(model, world.organization).order_by("pk").first()
        changelist = reverse(f"admin:{name}_changelist")
        tries.append(Try("admin", "GET", changelist, None, view))
        form = renamed(_change_form(owner, model, obj.pk), world.prefix) if obj else {}
        actions = [n for n, _ in admin.site.actions] + list(model_admin.actions or [])
        for action in actions if obj is not None else []:
            body = {"action": action, "_selected_action": [obj.pk], "post": "yes"}
            needed = ACTION_PERMISSIONS.get(action, change)
            if action == "delete_selected":
                needed = delete
            tries.append(Try("admin", "POST", changelist, body, needed, shows=view))
        for pattern in model_admin.get_urls():
            if pattern.name is None or pattern.name.endswith("_changelist"):
                continue
            parameters = list(pattern.pattern.regex.groupindex)
            if parameters and obj is None:
                continue
            url = reverse(
                f"admin:{pattern.name}", kwargs={p: obj.pk for p in parameters}
            )
            kind = pattern.name.removeprefix(f"{name}_")
            if pattern.name in CUSTOM_ADMIN_VIEWS:
                kind = CUSTOM_ADMIN_VIEWS[pattern.name]
            if kind in ("history", "view"):
                tries.append(Try("admin", "GET", url, None, view))
            elif kind == "change":
                tries.append(Try("admin", "GET", url, None, view))
                tries.append(Try("admin", "POST", url, form, change, shows=view))
            elif kind in ("add", "delete", "write"):
                body = {"delete": {"post": "yes"}, "write": {}}.get(kind, form)
                needed = delete if kind == "delete" else change
                tries.append(Try("admin", "GET", url, None, needed))
                tries.append(Try("admin", "POST", url, body, needed))
            else:
                pytest.fail(f"Admin view {pattern.name}: add it to CUSTOM_ADMIN_VIEWS")
    return tries


def self_assessment_form() -> dict[str, str]:
    """Return a whole self-assessment as the staff form posts it."""
    answers = {f"item_{key}": "2" for key in SELF_ASSESSMENT_ITEM_KEYS}
    answers.update({f"importance_D{i}": "3" for i in range(1, 10)})
    return answers


def page_tries(world: Tenant) -> list[Try]:
    routes = {name for name, _ in resolver_routes() if name.split(":")[0] in
              {"insights", "feedback", "followups", "maturity", "predictions"}}  # fmt: skip
    assert routes == set(STAFF_ROUTES), "A staff route without its permission here"
    urls = {
        "insights:export": [reverse("insights:export", args=[f]) for f in ("csv", "xlsx")],
        "feedback:detail": [reverse("feedback:detail", args=[world.response.pk])],
        "followups:detail": [reverse("followups:detail", args=[world.followup.pk])],
        "maturity:report": [reverse("maturity:report", args=[world.assessment.pk])],
        "predictions:customer": [reverse("predictions:customer",
                                         args=[world.customer.pk])],
        "insights:theme_edit": [reverse("insights:theme_edit", args=[world.theme.pk])],
    }  # fmt: skip
    posts: dict[str, list[dict[str, Any]]] = {
        "feedback:detail": [
            {"note": "Mallory note"},
            {"tag": "mallory-tag"},
            {"tag": world.tag.name, "remove": "1"},
        ],
        "insights:targets": [{"target_nps": "35"}],
        "insights:theme_edit": [{"action": "rename", "label": "Mallory theme"}],
        "insights:theme_rule_add": [{"label": "Mallory rule", "keywords": "mallory"}],
        "insights:themes_train": [{}],
        "feedback:list": [
            {"response": [str(world.response.pk)], "bulk_tag": "mallory-bulk"}
        ],
        "followups:detail": [
            {"action": "start"},
            {"action": "note", "note": "Mallory note"},
            {"root_cause": RootCause.values[0], "action_taken": "Mallory closed it"},
        ],
        "maturity:assess": [{}],
        "maturity:self_assessment": [self_assessment_form()],
        "predictions:models": [{"definition": str(world.prediction.pk)}],
        "predictions:proactive_rule": [
            {
                "definition": str(world.prediction.pk),
                "survey": str(world.survey.pk),
                "event_type": "chat.ended",
                "threshold": "0.6",
                "holdout_percent": "10",
            }
        ],
    }
    tries = []
    for name, (read, write) in STAFF_ROUTES.items():
        for url in urls.get(name) or [reverse(name)]:
            if read is not None:
                tries.append(Try("page", "GET", url, None, read))
            for body in posts.get(name, []) if write else []:
                tries.append(Try("page", "POST", url, body, write, shows=read))
    return tries


def api_tries(world: Tenant) -> list[Try]:
    operations = api_schema_operations()
    objects = api_objects(world)
    representations = {}
    for path, ops in operations.items():
        if "{" in path and "get" in ops and not path.endswith(".pdf"):
            got = world.api.get(_api_url(path, objects))
            if got["Content-Type"] == "application/json" and got.status_code == 200:
                representations[path] = got.json()
    special = {
        "/api/v1/events/": tenant_event("mallory", 1),
        "/api/v1/events/batch/": {"events": [tenant_event("mallory", 2)]},
        "/api/v1/maturity/self-assessment/": {"answers": {"cx_targets": 4}},
        "/api/v1/responses/import/": {
            "survey": world.survey.pk,
            "responses": [
                {"completed_at": "2026-03-04T12:00:00Z", "answers": {"nps": 10}}
            ],
        },
    }
    tries = []
    for path, ops in operations.items():
        url = _api_url(path, objects)
        detail = _representation_for(path, representations)
        body = special.get(path) or renamed(detail or {}, world.prefix)
        for method in ops:
            if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                upper = method.upper()
                sent = None if upper in ("GET", "DELETE") else body
                tries.append(Try("api", upper, url, sent, path, json=True))
    return tries


# --- Running it -----------------------------------------------------------------------


def send(client: Client, attempt: Try) -> HttpResponseBase:
    if attempt.method == "GET":
        return client.get(attempt.url)
    if attempt.json:
        return client.generic(
            attempt.method,
            attempt.url,
            "" if attempt.body is None else json.dumps(attempt.body),
            content_type="application/json",
        )
    return client.post(attempt.url, attempt.body or {})


def attempt_once(
    client: Client, attempt: Try, organization: Organization, compare: bool
) -> tuple[HttpResponseBase, bool]:
    """Send ``attempt`` in a savepoint rolled back after; return whether rows changed."""
    with transaction.atomic():
        before = state_of(organization) if compare else None
        response = send(client, attempt)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
        changed = compare and state_of(organization) != before
        transaction.set_rollback(True)
    return response, changed


def judge_staff(
    role: Role, attempt: Try, response: HttpResponseBase, changed: bool, owners: int
) -> Outcome:
    outcome = Outcome(role.value, attempt, response.status_code)
    status = response.status_code
    if allowed(role, attempt.permission):
        if status != owners:
            outcome.wrongly_refused = f"{status}, the owner gets {owners}"
    elif changed:
        outcome.got_through = f"changed rows ({status})"
    elif 200 <= status < 300 and not allowed(role, attempt.shows):
        outcome.got_through = f"{status}"
    return outcome


def judge_key(
    scope: Scope, attempt: Try, response: HttpResponseBase, changed: bool
) -> Outcome:
    outcome = Outcome(scope.value, attempt, response.status_code)
    status = response.status_code
    if scope_allows(scope, attempt.method, attempt.permission):
        if status in (401, 403):
            outcome.wrongly_refused = str(status)
    elif changed:
        outcome.got_through = f"changed rows ({status})"
    elif status != 403:
        outcome.got_through = f"{status}, not 403"
    elif "it needs '" not in response.json().get("detail", ""):
        outcome.got_through = f"403 without the scope it needs: {response.json()}"
    return outcome


def run_role_matrix(
    world: Tenant, members: dict[Role, Any]
) -> tuple[list[Outcome], list[str]]:
    organization = world.organization
    clients = {role: logged_in(user) for role, user in members.items()}
    keys = {scope: key_of(organization, scope) for scope in Scope}
    outcomes: list[Outcome] = []
    problems: list[str] = []
    for attempt in admin_tries(world) + page_tries(world):
        write = attempt.method != "GET"
        owners, _ = attempt_once(clients[Role.OWNER], attempt, organization, False)
        for role, client in clients.items():
            refused = not allowed(role, attempt.permission)
            response, changed = attempt_once(
                client, attempt, organization, write and refused
            )
            if response.status_code >= 500:
                problems.append(f"{response.status_code}: {role} {attempt.url}")
            outcomes.append(
                judge_staff(role, attempt, response, changed, owners.status_code)
            )
    for attempt in api_tries(world):
        write = attempt.method != "GET"
        for scope, client in keys.items():
            refused = not scope_allows(scope, attempt.method, attempt.permission)
            response, changed = attempt_once(
                client, attempt, organization, write and refused
            )
            if response.status_code >= 500:
                problems.append(f"{response.status_code}: {scope} {attempt.url}")
            outcomes.append(judge_key(scope, attempt, response, changed))
    return outcomes, problems


def report(outcomes: list[Outcome]) -> tuple[list[Outcome], list[Outcome]]:
    through = [o for o in outcomes if o.got_through]
    wrong = [o for o in outcomes if o.wrongly_refused]
    print(
        f"\nrole matrix: {len(outcomes)} attempts, {len(through)} got through, "
        f"{len(wrong)} refused although allowed"
    )
    print("  by role or scope:", dict(Counter(o.who for o in outcomes)))
    print("  by surface:", dict(Counter(o.attempt.surface for o in outcomes)))
    for o in through[:60]:
        print(f"  GOT THROUGH {o.who} {o.attempt.method} {o.attempt.url} "
              f"{o.attempt.body or ''} [{o.status}]: {o.got_through}")  # fmt: skip
    for o in wrong[:60]:
        print(f"  REFUSED {o.who} {o.attempt.method} {o.attempt.url} "
              f"{o.attempt.body or ''}: {o.wrongly_refused}")  # fmt: skip
    return through, wrong
