"""Who may do what: the one table of staff roles and API key scopes.

Every check in the product — admin, staff pages, forms, the API — asks this module,
never compares role names itself. README's "Roles and API key scopes" shows the same
table (a test keeps the two equal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from cx.models.tenancy import Role


class Permission(StrEnum):
    """One thing a staff member may do in their organisation."""

    # Read.
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_FEEDBACK = "view_feedback"  # responses, customers, events, invitations, cases
    VIEW_MATURITY = "view_maturity"
    VIEW_CONFIGURATION = "view_configuration"  # journeys, surveys, rules, policies
    VIEW_AUDIT_LOG = "view_audit_log"
    # Work with feedback.
    EXPORT_FEEDBACK = "export_feedback"
    ANNOTATE_FEEDBACK = "annotate_feedback"  # notes and tags on responses
    WORK_CASES = "work_cases"  # assign, start and close follow-up cases
    ASSESS_MATURITY = "assess_maturity"  # self-assessment, assessments, reports
    # Change.
    CONFIGURE_CX = (
        "configure_cx"  # journeys, touchpoints, surveys, rules, policies, targets
    )
    ERASE_CUSTOMERS = "erase_customers"
    MANAGE_ORGANIZATION = "manage_organization"  # memberships, keys, webhooks, settings


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.CX_MANAGER: frozenset(
        {
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_FEEDBACK,
            Permission.VIEW_MATURITY,
            Permission.VIEW_CONFIGURATION,
            Permission.EXPORT_FEEDBACK,
            Permission.ANNOTATE_FEEDBACK,
            Permission.WORK_CASES,
            Permission.ASSESS_MATURITY,
            Permission.CONFIGURE_CX,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_FEEDBACK,
            Permission.VIEW_MATURITY,
            Permission.VIEW_CONFIGURATION,
            Permission.EXPORT_FEEDBACK,
            Permission.ANNOTATE_FEEDBACK,
        }
    ),
    Role.EXECUTIVE: frozenset(
        {
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_MATURITY,
            Permission.ASSESS_MATURITY,
        }
    ),
}

# In the interface's words, for the 403 page and README.
PERMISSION_LABELS: dict[Permission, StrOrPromise] = {
    Permission.VIEW_DASHBOARD: _("read the dashboard"),
    Permission.VIEW_FEEDBACK: _("read feedback, customers and follow-up cases"),
    Permission.VIEW_MATURITY: _("read the maturity assessment"),
    Permission.VIEW_CONFIGURATION: _("read journeys, surveys, rules and policies"),
    Permission.VIEW_AUDIT_LOG: _("read the audit log"),
    Permission.EXPORT_FEEDBACK: _("export responses"),
    Permission.ANNOTATE_FEEDBACK: _("add notes and tags to responses"),
    Permission.WORK_CASES: _("assign, start and close follow-up cases"),
    Permission.ASSESS_MATURITY: _(
        "answer the self-assessment, assess and download reports"
    ),
    Permission.CONFIGURE_CX: _(
        "change journeys, touchpoints, segments, surveys, trigger rules, contact and "
        "follow-up policies, targets and tags"
    ),
    Permission.ERASE_CUSTOMERS: _("erase a customer's personal data"),
    Permission.MANAGE_ORGANIZATION: _(
        "manage memberships, API keys, webhook endpoints, retention and the "
        "organisation's settings"
    ),
}


def role_may(role: Role | str | None, permission: Permission) -> bool:
    """Return whether a member with ``role`` may do ``permission``."""
    if role is None:
        return False
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def permissions_of(role: Role | str | None) -> frozenset[Permission]:
    """Return what a member with ``role`` may do (nothing for an unknown role).

    Templates ask it: ``{% if "work_cases" in may %}`` with ``may`` from a view.
    """
    if role is None:
        return frozenset()
    try:
        return ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()


def roles_with(permission: Permission) -> list[Role]:
    """Return the roles that may do ``permission``, most powerful first."""
    return [role for role in Role if permission in ROLE_PERMISSIONS[role]]


class Scope(StrEnum):
    """What an API key may do. A key holds one or more scopes."""

    EVENTS_WRITE = "events:write"  # post events (single and batch); nothing else
    READ = "read"  # every GET of the organisation's data
    MANAGE = "manage"  # everything but memberships: configuration, imports, erasure
    OWNER = "owner"  # everything, memberships too: what an owner does in the staff UI


SCOPE_LABELS: dict[Scope, StrOrPromise] = {
    Scope.EVENTS_WRITE: _("post business events, nothing else"),
    Scope.READ: _("read the organisation's data"),
    Scope.MANAGE: _("read and change everything the API offers but memberships"),
    Scope.OWNER: _(
        "everything the API offers, memberships too (what an owner may in the staff "
        "pages)"
    ),
}

# The narrowest scope that runs README's example (post an event).
DEFAULT_SCOPE = Scope.EVENTS_WRITE
