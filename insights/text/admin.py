"""Admin: themes and keyword rules, text models (sentiment with its validation) and
rising-theme alerts, scoped to the user's organisations (loaded by insights.admin).

A theme's name is the one thing edited here, through the same service as the themes
page, so that a renamed theme keeps its name across retraining; rules are added and
themes merged or split on the themes page, which tags the comments again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cx.admin_scoping import OrganizationScopedAdmin
from cx.roles import Permission
from insights.text import services
from insights.text.models import TextModel, Theme, ThemeAlert


@admin.register(Theme)
class ThemeAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.CONFIGURE_CX
    list_display = ["label", "kind", "active", "label_edited", "merged_into"]
    list_filter = ["kind", "active", "label_edited"]
    search_fields = ["label"]
    fields = [
        "label", "kind", "words", "keywords", "split_from", "merged_into", "active",
        "label_edited", "created_at",
    ]  # fmt: skip
    readonly_fields = [
        "kind", "words", "keywords", "split_from", "merged_into", "active",
        "label_edited", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a rule is added on the themes page, which tags the comments

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        self._require_change(request, obj)
        services.theme_rename(theme=obj, label=obj.label)


@admin.register(TextModel)
class TextModelAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = None  # written by training only
    list_display = [
        "started_at", "state", "comments", "topics", "sentiment_accuracy",
        "sentiment_published",
    ]  # fmt: skip
    list_filter = ["state", "sentiment_published"]
    readonly_fields = [
        "state", "started_at", "finished_at", "comments", "topics",
        "sentiment_labelled", "sentiment_held_out", "sentiment_accuracy",
        "sentiment_ci_low", "sentiment_ci_high", "sentiment_base_rate",
        "sentiment_published", "sentiment_reason", "error",
    ]  # fmt: skip
    exclude = ["organization"]


@admin.register(ThemeAlert)
class ThemeAlertAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = None  # raised by the weekly check only
    list_display = ["theme", "week", "count", "n", "p_value", "recipient"]
    list_filter = ["week"]
    readonly_fields = [
        "theme", "week", "touchpoint", "count", "n", "baseline_share", "p_value",
        "recipient", "created_at",
    ]  # fmt: skip
    exclude = ["organization"]
