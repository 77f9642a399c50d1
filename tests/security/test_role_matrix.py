"""Inside one organisation, each role and each API key scope does what cx/roles.py says.

The world (``tests/security/conftest.py``): Aurora Bank with one of everything, its owner
Aino, and three more members — a CX manager, an analyst and an executive.

Who tries: each of the four roles, logged in; an API key of each scope.

What they try, enumerated so that a new route is covered without editing this file
(a new admin model or staff page needs a line in the maps below, and the test says so):

- every admin URL of every ``ModelAdmin`` (changelist, add, change, delete, history,
  custom views) for Aurora's object of that model, GET and POST (A's own change form
  as its owner submits it, renamed), and every admin action on that object;
- every staff page (dashboard, panels, exports, feedback, follow-ups, maturity and its
  report) and every form post on them (notes, tags, starting and closing a case,
  requesting an assessment);
- every API operation of the OpenAPI schema, with a plausible body.

What should happen comes from ``cx.roles.ROLE_PERMISSIONS`` and the scopes' rules,
through the maps below (model → the permission to view it and to change it, action →
the permission it needs, staff page → its permission) — never from the code under test.
A role or key that may do it *succeeds*: the same answer the owner (or a ``manage``
key) gets, never a 401 or 403. One that may not is *refused*: a GET shows nothing (no
2xx), a write changes nothing (every row of the organisation and the row count of every
table, before and after); an API key gets 403 naming the scope it needs.
Every attempt runs in a savepoint that is rolled back, so that each starts from the
same world.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cx.audit.models import AuditEntry
from cx.models import Membership, Organization, Role
from cx.roles import Permission, Scope, role_may
from cx.services.organizations import api_key_create, member_add, staff_user_create
from followups.models import RootCause
from maturity.method import SELF_ASSESSMENT_ITEM_KEYS
from tests.counts import ABUSE
from tests.security.conftest import Tenant, tenant_event
from tests.security.probing import owned_by, tenant_rows
from tests.security.test_isolation_matrix import (
    _api_url,
    _change_form,
    _representation_for,
    api_objects,
    api_schema_operations,
    renamed,
    resolver_routes,
)

pytestmark = pytest.mark.django_db

P = Permission
ANY_MEMBER = "any member"  # a page every member of the organisation may see
NOBODY = None  # superusers only (and they are not part of any role)

# Model → (the permission to view it, the permission to change or add it).
MODEL_PERMISSIONS: dict[str, tuple[Any, Any]] = {
    "auth.User": (NOBODY, NOBODY),
    "auth.Group": (NOBODY, NOBODY),
    "audit.AuditEntry": (P.VIEW_AUDIT_LOG, NOBODY),
    "cx.Organization": (P.MANAGE_ORGANIZATION, P.MANAGE_ORGANIZATION),
    "cx.Membership": (P.MANAGE_ORGANIZATION, P.MANAGE_ORGANIZATION),
    "cx.ApiKey": (P.MANAGE_ORGANIZATION, P.MANAGE_ORGANIZATION),
    "cx.Customer": (P.VIEW_FEEDBACK, P.CONFIGURE_CX),
    "cx.Segment": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "cx.Process": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "cx.Journey": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "cx.Touchpoint": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "cx.Event": (P.VIEW_FEEDBACK, NOBODY),
    "surveys.Survey": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "surveys.TriggerRule": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "surveys.ContactPolicy": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "surveys.Invitation": (P.VIEW_FEEDBACK, P.CONFIGURE_CX),
    "surveys.Suppression": (P.VIEW_FEEDBACK, P.CONFIGURE_CX),
    "surveys.UndeliverableAddress": (P.VIEW_FEEDBACK, P.CONFIGURE_CX),
    "surveys.Response": (P.VIEW_FEEDBACK, P.CONFIGURE_CX),
    "followups.FollowUpPolicy": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "followups.FollowUp": (P.VIEW_FEEDBACK, P.WORK_CASES),
    "insights.MetricTarget": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "insights.Tag": (P.VIEW_FEEDBACK, P.ANNOTATE_FEEDBACK),
    "insights.ResponseNote": (P.VIEW_FEEDBACK, P.ANNOTATE_FEEDBACK),
    "webhooks.WebhookEndpoint": (P.MANAGE_ORGANIZATION, P.MANAGE_ORGANIZATION),
    "webhooks.WebhookDelivery": (P.MANAGE_ORGANIZATION, P.MANAGE_ORGANIZATION),
    "predictions.PredictionDefinition": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "predictions.ModelVersion": (P.VIEW_CONFIGURATION, NOBODY),
    "predictions.CustomerRisk": (P.VIEW_FEEDBACK, NOBODY),
    "insights.Theme": (P.VIEW_FEEDBACK, P.CONFIGURE_CX),
    "insights.TextModel": (P.VIEW_CONFIGURATION, NOBODY),
    "insights.ThemeAlert": (P.VIEW_FEEDBACK, NOBODY),
}
# Deleting needs what changing needs, except where that would outdo a narrower right:
# deleting a customer erases more than erasing does; events are a read-only record.
DELETE_PERMISSIONS: dict[str, Any] = {
    "cx.Customer": P.ERASE_CUSTOMERS,
    "cx.Event": P.ERASE_CUSTOMERS,
}
# Admin actions that need more than changing their model.
ACTION_PERMISSIONS: dict[str, Permission] = {
    "erase": P.ERASE_CUSTOMERS,
    "revoke": P.MANAGE_ORGANIZATION,
    "remove_selected": P.MANAGE_ORGANIZATION,
    "requeue_failed": P.CONFIGURE_CX,
    "retry_failed": P.MANAGE_ORGANIZATION,
}
# Admin views beyond changelist/add/change/delete/history: "view" shows the object,
# "write" changes it (GET shows the form, POST submits it).
CUSTOM_ADMIN_VIEWS = {
    "surveys_survey_preview": "view",
    "auth_user_password_change": "write",
}
# Staff routes (namespace:name) → the permission to GET and to POST (None: the route
# answers no GET / takes no POST).
STAFF_ROUTES: dict[str, tuple[Permission | None, Permission | None]] = {
    "insights:dashboard": (P.VIEW_DASHBOARD, None),
    "insights:panels": (P.VIEW_DASHBOARD, None),
    "insights:targets": (None, P.CONFIGURE_CX),
    "insights:export": (P.EXPORT_FEEDBACK, None),
    "insights:themes": (P.VIEW_FEEDBACK, None),
    "insights:theme_edit": (None, P.CONFIGURE_CX),
    "insights:theme_rule_add": (None, P.CONFIGURE_CX),
    "insights:themes_train": (None, P.CONFIGURE_CX),
    "feedback:list": (P.VIEW_FEEDBACK, P.ANNOTATE_FEEDBACK),
    "feedback:detail": (P.VIEW_FEEDBACK, P.ANNOTATE_FEEDBACK),
    "feedback:delivery": (P.VIEW_FEEDBACK, None),
    "followups:queue": (P.VIEW_FEEDBACK, None),
    "followups:detail": (P.VIEW_FEEDBACK, P.WORK_CASES),
    "maturity:page": (P.VIEW_MATURITY, None),
    "maturity:live": (P.VIEW_MATURITY, None),
    "maturity:assess": (None, P.ASSESS_MATURITY),
    "maturity:self_assessment": (P.ASSESS_MATURITY, P.ASSESS_MATURITY),
    "maturity:report": (P.ASSESS_MATURITY, None),
    "predictions:at_risk": (P.VIEW_FEEDBACK, None),
    "predictions:customer": (P.VIEW_FEEDBACK, None),
    "predictions:models": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
    "predictions:proactive_rule": (P.VIEW_CONFIGURATION, P.CONFIGURE_CX),
}
EVENT_PATHS = ("/api/v1/events/", "/api/v1/events/batch/")


def scope_allows(scope: Scope, method: str, path: str) -> bool:
    """What a key of ``scope`` may do, as README and ``cx.roles.Scope`` say."""
    if scope == Scope.OWNER:
        return True
    if path.startswith("/api/v1/memberships/"):
        return False  # the owner scope's alone, reads too
    if scope == Scope.MANAGE:
        return True
    if scope == Scope.READ:
        return method in ("GET", "HEAD", "OPTIONS")
    return method == "POST" and path in EVENT_PATHS


def allowed(role: Role, permission: Any) -> bool:
    if permission is ANY_MEMBER:
        return True
    return permission is not NOBODY and role_may(role, permission)


@dataclass
class Try:
    """One request, and who may make it (``may`` answers for a role or a scope)."""

    surface: str  # admin, page, api
    method: str
    url: str
    body: Any
    permission: Any  # a Permission, ANY_MEMBER or NOBODY; for the API, the path
    json: bool = False
    shows: Any = None  # the permission to see the page a refused POST lands on

    def __post_init__(self) -> None:
        if self.shows is None:
            self.shows = self.permission


@dataclass
class Outcome:
    who: str
    attempt: Try
    status: int
    got_through: str | None = None  # refused, but it was not
    wrongly_refused: str | None = None  # allowed, but it was not


# --- The world ----------------------------------------------------------------------


@pytest.fixture
def aurora_staff(tenant, aurora, aino, api) -> tuple[Tenant, dict[Role, Any]]:  # type: ignore[no-untyped-def]
    world = tenant(aurora, aino, api, "aurora")
    members = {Role.OWNER: aino}
    for role, name in (
        (Role.CX_MANAGER, "bertil"),
        (Role.ANALYST, "anna"),
        (Role.EXECUTIVE, "eero"),
    ):
        user = staff_user_create(
            username=name, email=f"{name}@aurora.example", password=f"pw-{name}"
        )
        member_add(organization=aurora, user=user, role=role)
        members[role] = user
    return world, members


def logged_in(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def key_of(organization: Organization, scope: Scope) -> APIClient:
    client = APIClient(raise_request_exception=False)
    issued = api_key_create(organization=organization, name=scope, scopes=[scope])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")
    return client


def state_of(organization: Organization) -> tuple[object, ...]:
    """Every row the organisation owns and the row count of every table.

    The audit log (a refused request may be recorded) and a key's "last used" are
    bookkeeping, not changes.
    """
    rows = tenant_rows(organization)
    rows = {label: r for label, r in rows.items() if not label.startswith("audit.")}
    rows.pop("cx.ApiKey", None)
    keys = owned_by(apps.get_model("cx", "ApiKey"), organization).order_by("pk")
    rows["cx.ApiKey"] = list(keys.values_list("pk", "name", "scopes", "revoked_at"))
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model is not AuditEntry and model._meta.app_label != "sessions"
    }
    return (rows, counts)


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


def test_each_role_and_key_scope_does_what_the_table_allows_and_nothing_more(
    aurora_staff, count_report
):
    world, members = aurora_staff

    outcomes, problems = run_role_matrix(world, members)

    through, wrong = report(outcomes)
    count_report.add(
        ABUSE,
        check="role matrix: 4 roles × admin URLs and staff pages, 4 key scopes × API",
        attempts=len(outcomes),
        got_through=len(through),
    )
    assert len(outcomes) > 1000
    assert Counter(o.attempt.surface for o in outcomes).keys() == {
        "admin",
        "page",
        "api",
    }
    assert not problems, problems[:20]
    assert not through
    assert not wrong


# --- The escalation of issue 12 -------------------------------------------------------


def test_an_analyst_cannot_make_themselves_owner(aurora_staff):
    world, members = aurora_staff
    analyst = members[Role.ANALYST]
    own = Membership.objects.get(user=analyst)
    client = logged_in(analyst)
    organization = world.organization
    change = reverse("admin:cx_membership_change", args=[own.pk])
    as_owner = {"user": analyst.pk, "organization": organization.pk, "role": "owner"}
    inline = {
        "name": organization.name,
        "slug": organization.slug,
        "timezone": organization.timezone,
        "default_language": organization.default_language,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": own.pk,
        "memberships-0-organization": organization.pk,
        "memberships-0-user": analyst.pk,
        "memberships-0-role": "owner",
    }

    attempts = [
        client.get(change),
        client.post(change, as_owner),
        client.post(reverse("admin:cx_membership_add"), as_owner),
        client.post(
            reverse("admin:cx_organization_change", args=[organization.pk]), inline
        ),
    ]

    assert [a.status_code for a in attempts] == [403, 403, 403, 403]
    assert list(Membership.objects.filter(user=analyst).values_list("role")) == [
        ("analyst",)
    ]
    assert client.get("/maturity/").status_code == 200  # the analyst reads it
    assert client.post("/maturity/assess/").status_code == 403
    report = reverse("maturity:report", args=[world.assessment.pk])
    assert client.get(report).status_code == 403
