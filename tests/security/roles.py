"""The role matrix's table: what each role and key scope may do, and its world."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient

from cx.audit.models import AuditEntry
from cx.models import Organization, Role
from cx.roles import Permission, Scope, role_may
from cx.services.organizations import api_key_create
from tests.security.probing import owned_by, tenant_rows

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
