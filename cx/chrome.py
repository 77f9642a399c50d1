"""The staff pages' chrome: who is logged in, in which organisation, and where to go.

One context processor, ``staff_chrome``, gives every template ``staff``: the user's
membership for this request (``?org=`` picks one, as in ``cx.staff``), what the role
``may`` do (from ``cx.roles``) and the navigation links that role may open. Nothing is
queried until a template reads it, so pages that never show the chrome (the customers'
answer pages, the API) pay nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cx.models import Membership, Organization, Role
from cx.roles import PERMISSION_LABELS, Permission, role_may, roles_with

# What a role is called when a sentence names several members ("for owners and …").
ROLE_PLURALS: dict[Role, Promise] = {
    Role.OWNER: _("owners"),
    Role.CX_MANAGER: _("CX managers"),
    Role.ANALYST: _("analysts"),
    Role.EXECUTIVE: _("executives"),
}

# Pseudo-permission for the admin link: the admin decides per model.
ADMIN = "admin"


@dataclass(frozen=True)
class NavItem:
    """A page in the staff navigation and what a role needs to open it."""

    key: str
    url_name: str
    label: Promise
    # Any one of these suffices; ADMIN asks the admin site instead.
    needs: tuple[Permission, ...] | str


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(
        "dashboard", "insights:dashboard", _("Dashboard"), (Permission.VIEW_DASHBOARD,)
    ),
    NavItem("feedback", "feedback:list", _("Feedback"), (Permission.VIEW_FEEDBACK,)),
    NavItem(
        "followups", "followups:queue", _("Follow-ups"), (Permission.VIEW_FEEDBACK,)
    ),
    NavItem(
        "predictions",
        "predictions:at_risk",
        _("Customers at risk"),
        (Permission.VIEW_FEEDBACK,),
    ),
    NavItem("maturity", "maturity:page", _("Maturity"), (Permission.VIEW_MATURITY,)),
    NavItem("admin", "admin:index", _("Administration"), ADMIN),
    NavItem(
        "api_docs",
        "api-docs",
        _("API docs"),
        (Permission.MANAGE_ORGANIZATION, Permission.CONFIGURE_CX),
    ),
)


@dataclass(frozen=True)
class NavLink:
    """A navigation link as the template shows it."""

    key: str
    url: str
    label: Promise
    current: bool


class StaffChrome:
    """What the staff header and navigation show for one request."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def memberships(self) -> list[Membership]:
        """Return all the user's memberships, for the organisation switcher."""
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return list(
            Membership.objects.filter(user=user)
            .select_related("organization")
            .order_by("pk")
        )

    @cached_property
    def membership(self) -> Membership | None:
        """Return the membership this page is about, as ``cx.staff`` picks it."""
        slug = self.request.GET.get("org")
        return next(
            (
                membership
                for membership in self.memberships
                if not slug or membership.organization.slug == slug
            ),
            None,
        )

    @property
    def organization(self) -> Organization | None:
        return self.membership.organization if self.membership else None

    @property
    def role_label(self) -> str:
        return self.membership.get_role_display() if self.membership else ""

    @cached_property
    def user_name(self) -> str:
        user = self.request.user
        if not isinstance(user, User):
            return ""  # a page shown before login names nobody
        return user.get_full_name() or user.get_username()

    @cached_property
    def may(self) -> dict[str, bool]:
        """Return, per permission (and ``admin``), whether the role may do it."""
        role = self.membership.role if self.membership else None
        allowed: dict[str, bool] = {
            permission.value: role_may(role, permission) for permission in Permission
        }
        allowed[ADMIN] = self.membership is not None and self._admin_has_anything()
        return allowed

    def _admin_has_anything(self) -> bool:
        if not admin.site.has_permission(self.request):
            return False
        return bool(admin.site.get_app_list(self.request))

    def _allows(self, needs: Sequence[Permission] | str) -> bool:
        if isinstance(needs, str):
            return self.may[needs]
        return any(self.may[permission.value] for permission in needs)

    @cached_property
    def org_query(self) -> str:
        """Return ``?org=…`` to keep a chosen organisation across links, or ""."""
        slug = self.request.GET.get("org")
        if slug and self.membership and len(self.memberships) > 1:
            return "?" + urlencode({"org": slug})
        return ""

    @cached_property
    def nav(self) -> list[NavLink]:
        """Return the links the role may open, the current page marked."""
        if self.membership is None:
            return []
        links = []
        for item in NAVIGATION:
            if not self._allows(item.needs):
                continue
            url = reverse(item.url_name)
            links.append(
                NavLink(
                    key=item.key,
                    url=url if item.needs == ADMIN else url + self.org_query,
                    label=item.label,
                    current=self.request.path.startswith(url),
                )
            )
        return links

    @cached_property
    def home_url(self) -> str:
        """Return where "back" leads: the dashboard, or the first page allowed."""
        links = self.nav
        return links[0].url if links else reverse("insights:dashboard")


def who_may(permission: Permission) -> str:
    """Return the sentence naming who may open a page that needs ``permission``."""
    roles = get_text_list(
        [str(ROLE_PLURALS[role]) for role in roles_with(permission)], gettext("and")
    )
    return gettext("This page is for %(roles)s: it lets them %(what)s.") % {
        "roles": roles,
        "what": PERMISSION_LABELS[permission],
    }


def staff_chrome(request: HttpRequest) -> dict[str, Any]:
    """Give templates ``staff``: the header's and navigation's facts, lazily."""
    return {"staff": StaffChrome(request)}
