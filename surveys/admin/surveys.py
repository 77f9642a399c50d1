"""Admin: surveys with their questions, and responses with their answers."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cx.admin_scoping import OrganizationScopedAdmin, ScopedInlineMixin
from cx.audit.admin import AuditedAdminMixin
from cx.audit.models import Subject
from cx.roles import Permission
from surveys.models import Answer, Question, Response, ResponseSegment, Survey
from surveys.views.preview import survey_preview


class QuestionInline(ScopedInlineMixin, admin.StackedInline):
    model = Question
    extra = 0
    ordering = ["position"]
    fields = [
        ("position", "key", "type", "required"),
        "text",
        ("scale_min", "scale_max"),
        ("scale_low_label", "scale_high_label"),
        "choices",
        "condition",
    ]


@admin.register(Survey)
class SurveyAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
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
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, survey: Survey) -> str:
        if survey.pk is None:
            return "–"
        url = reverse("admin:surveys_survey_preview", args=[survey.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview the survey"))

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<int:survey_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="surveys_survey_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest, survey_id: int) -> HttpResponse:
        """Show the survey as a respondent sees it (only to staff of its organisation)."""
        survey = self.get_queryset(request).filter(pk=survey_id).first()
        if survey is None or not self.has_view_or_change_permission(request, survey):
            raise Http404
        return survey_preview(request, survey)


class AnswerInline(ScopedInlineMixin, admin.TabularInline):
    model = Answer
    extra = 0
    fields = readonly_fields = ("question", "number", "choices", "text", "answered_at")
    can_delete = False

    def has_add_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False


class SegmentSnapshotInline(ScopedInlineMixin, admin.TabularInline):
    model = ResponseSegment
    extra = 0
    fields = readonly_fields = ("key",)
    can_delete = False

    def has_add_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(AuditedAdminMixin, OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.CONFIGURE_CX
    audit_subject = Subject.RESPONSE
    audit_list_subject = Subject.RESPONSES
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
