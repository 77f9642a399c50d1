"""Admin: prediction definitions (with "train now"), versions and risks, read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cx.admin_scoping import OrganizationScopedAdmin
from cx.roles import Permission
from cx.staff import signed_in_user
from predictions import services
from predictions.models import CustomerRisk, ModelVersion, PredictionDefinition


@admin.register(PredictionDefinition)
class PredictionDefinitionAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
    list_display = ["name", "key", "kind", "horizon_days", "threshold", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "key", "event_type"]
    actions = ["train"]

    @admin.action(description=_("Train the selected predictions now"))
    def train(
        self, request: HttpRequest, queryset: QuerySet[PredictionDefinition]
    ) -> None:
        for definition in queryset:
            services.training_request(
                definition=definition, user=signed_in_user(request)
            )
        self.message_user(request, _("Training queued."), messages.SUCCESS)


@admin.register(ModelVersion)
class ModelVersionAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = None  # written by training only
    list_display = ["definition", "number", "state", "progress", "created_at"]
    list_filter = ["state"]
    readonly_fields = [
        "definition", "number", "state", "progress", "step", "card", "refusals", "error",
        "requested_by", "created_at", "started_at", "finished_at",
    ]  # fmt: skip
    exclude = ["organization"]


@admin.register(CustomerRisk)
class CustomerRiskAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = None  # written by scoring only
    list_display = ["customer", "definition", "risk", "at_risk", "scored_at"]
    list_filter = ["definition", "at_risk"]
    search_fields = ["customer__external_id"]
    readonly_fields = [
        "customer", "definition", "version", "risk", "at_risk", "reasons", "scored_at",
    ]  # fmt: skip
    exclude = ["organization"]
