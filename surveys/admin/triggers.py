"""Admin: trigger rules, contact policy, and suppressions (why a customer was not surveyed)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cx.admin_scoping import OrganizationScopedAdmin
from cx.roles import Permission
from surveys.models import ContactPolicy, Suppression, TriggerRule


@admin.register(TriggerRule)
class TriggerRuleAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
    list_display = [
        "name", "survey", "touchpoint", "event_type", "delay_minutes", "sampling_percent",
        "priority", "is_active",
    ]  # fmt: skip
    list_filter = ["organization", "is_active", "survey", "touchpoint__journey"]
    search_fields = ["name", "event_type", "survey__name", "touchpoint__name"]
    filter_horizontal = ["segments_all", "segments_none"]
    list_select_related = ["survey", "touchpoint"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "survey", "is_active", "priority"]}),
        (_("When"), {"fields": ["touchpoint", "event_type", "delay_minutes",
                                "quiet_start", "quiet_end"]}),
        (_("To whom"), {"fields": ["segments_all", "segments_none", "sampling_percent"]}),
        (_("Link and reminders"), {"fields": ["channel", "expiry_days", "reminder_count",
                                              "reminder_interval_days"]}),
    ]  # fmt: skip


@admin.register(ContactPolicy)
class ContactPolicyAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
    list_display = ["organization", "min_days_between_invitations"]


@admin.register(Suppression)
class SuppressionAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.CONFIGURE_CX
    list_display = ["created_at", "reason", "detail", "customer", "rule", "event"]
    list_filter = ["organization", "reason", "rule", "rule__survey", "created_at"]
    search_fields = [
        "customer__external_id",
        "customer__email",
        "event__event_id",
        "detail",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["customer", "rule", "event"]
    readonly_fields = [field.name for field in Suppression._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False
