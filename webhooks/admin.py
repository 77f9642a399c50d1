"""Admin: webhook endpoints (secret masked) and their delivery log (read-only, retry).

Delivery state moves only through the services; the one action gives failed deliveries
a fresh set of attempts with the same message id.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cx.admin_scoping import OrganizationScopedAdmin
from cx.roles import Permission
from webhooks import services
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint

OWN_ONLY = admin.RelatedOnlyFieldListFilter  # lists only what the user may see


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the events are POSTed; https is required."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organization", "url", "description", "event_types", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OrganizationScopedAdmin):
    view_permission = Permission.MANAGE_ORGANIZATION
    change_permission = Permission.MANAGE_ORGANIZATION
    form = WebhookEndpointForm
    list_display = ["url", "organization", "subscribed", "active", "created_at"]
    list_filter = [("organization", OWN_ONLY), "active"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret_hint", "created_at"]

    @admin.display(description=_("event types"))
    def subscribed(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.event_types or [])

    @admin.display(description=_("signing secret"))
    def secret_hint(self, endpoint: WebhookEndpoint) -> str:
        if endpoint.pk is None:
            return str(_("Made when the endpoint is saved, and shown once."))
        return endpoint.masked_secret

    def save_model(
        self,
        request: HttpRequest,
        obj: WebhookEndpoint,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _(
                    "The signing secret of this endpoint is %(secret)s. Copy it now: "
                    "it is not shown again."
                )
                % {"secret": obj.secret},
                messages.WARNING,
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganizationScopedAdmin):
    view_permission = Permission.MANAGE_ORGANIZATION
    change_permission = Permission.MANAGE_ORGANIZATION
    list_display = [
        "message_id", "endpoint", "event_type", "state", "attempts",
        "last_status_code", "error", "due_at", "delivered_at", "created_at",
    ]  # fmt: skip
    list_filter = [
        "state", "event_type", ("endpoint", OWN_ONLY), ("organization", OWN_ONLY),
    ]  # fmt: skip
    search_fields = ["message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["endpoint"]
    ordering = ["-created_at"]
    actions = ["retry_failed"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    @admin.display(description=_("last error"))
    def error(self, delivery: WebhookDelivery) -> str:
        return Truncator(delivery.last_error).chars(80)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_retry_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.may(request, Permission.MANAGE_ORGANIZATION, obj)

    @admin.action(
        description=_("Send the selected failed deliveries again"),
        permissions=("retry",),
    )
    def retry_failed(
        self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]
    ) -> None:
        ids = services.webhook_deliveries_retry(deliveries=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed delivery scheduled again.",
                "%(count)d failed deliveries scheduled again.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS if ids else messages.WARNING,
        )
