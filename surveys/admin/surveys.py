"""Admin: surveys with their questions, and responses with their answers."""

from __future__ import annotations

from django.contrib import admin

from cx.admin_scoping import OrganizationScopedAdmin
from surveys.models import Answer, Question, Response, ResponseSegment, Survey


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    ordering = ["position"]
    fields = [
        ("position", "key", "type", "required"),
        "text",
        ("scale_min", "scale_max"),
        "choices",
        "condition",
    ]


@admin.register(Survey)
class SurveyAdmin(OrganizationScopedAdmin):
    list_display = [
        "name",
        "audience",
        "purpose",
        "status",
        "is_anonymous",
        "updated_at",
    ]
    list_filter = ["organization", "status", "audience", "purpose", "is_anonymous"]
    search_fields = ["name"]
    inlines = [QuestionInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "number", "choices", "text", "answered_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class SegmentSnapshotInline(admin.TabularInline):
    model = ResponseSegment
    extra = 0
    fields = ["key"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Response)
class ResponseAdmin(OrganizationScopedAdmin):
    list_display = [
        "started_at", "survey", "state", "origin", "customer", "touchpoint", "journey",
        "language",
    ]  # fmt: skip
    list_filter = [
        "organization", "state", "origin", "survey", "journey", "touchpoint", "process",
        "is_anonymous", "segments__key", "completed_at",
    ]  # fmt: skip
    search_fields = ["customer__external_id", "customer__email", "answers__text"]
    date_hierarchy = "started_at"
    list_select_related = ["survey", "customer", "touchpoint", "journey"]
    readonly_fields = [field.name for field in Response._meta.fields]
    inlines = [AnswerInline, SegmentSnapshotInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
