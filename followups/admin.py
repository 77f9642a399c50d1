"""Admin: follow-up policies and cases, with the filters a CX owner works by."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from typing import Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cx.admin_scoping import OrganizationScopedAdmin
from cx.audit.admin import AuditedAdminMixin
from cx.audit.models import Subject
from cx.roles import Permission
from followups.models import FollowUp, FollowUpPolicy, FollowUpQuerySet


@admin.register(FollowUpPolicy)
class FollowUpPolicyAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
    list_display = ["organization", "active", "nps_at_most", "ces_at_most", "sla_hours"]


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, StrOrPromise]]:
        return [("yes", _("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() != "yes":
            return queryset
        return cast(FollowUpQuerySet, queryset).overdue()  # the admin's FollowUp rows


@admin.register(FollowUp)
class FollowUpAdmin(AuditedAdminMixin, OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.WORK_CASES
    audit_subject = Subject.FOLLOWUP
    audit_list_subject = Subject.FOLLOWUPS
    list_display = ["reason", "state", "owner", "touchpoint", "due_at", "root_cause"]
    list_filter = [
        "state", OverdueFilter, "root_cause", "touchpoint", "journey", "process",
        "recovered",
    ]  # fmt: skip
    search_fields = ["reason", "action_taken", "customer__external_id"]
    date_hierarchy = "opened_at"
    list_select_related = ["owner", "touchpoint"]
    raw_id_fields = ["response", "customer", "recovery_invitation"]
    readonly_fields = ["opened_at", "closed_at", "closed_by", "reminded_at"]
