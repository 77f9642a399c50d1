"""Admin: metric targets, tags and internal notes, scoped to the user's organisations."""

from __future__ import annotations

from django.contrib import admin

from cx.admin_scoping import OrganizationScopedAdmin
from cx.roles import Permission
from insights.models import MetricTarget, ResponseNote, Tag


@admin.register(MetricTarget)
class MetricTargetAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
    list_display = ["metric", "value", "journey", "organization"]
    list_filter = ["organization", "metric", "journey"]


@admin.register(Tag)
class TagAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.ANNOTATE_FEEDBACK
    list_display = ["name", "organization"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(ResponseNote)
class ResponseNoteAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.ANNOTATE_FEEDBACK
    list_display = ["response", "author", "created_at", "text"]
    list_filter = ["organization", "created_at"]
    search_fields = ["text"]
    raw_id_fields = ["response"]
    readonly_fields = ["author", "created_at"]


# The comment-understanding admins live with their code (insights/text).
from insights.text import admin as text_admin  # noqa: E402, F401
