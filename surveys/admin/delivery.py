"""Admin: invitations (state, attempts, errors) and undeliverable addresses."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cx.admin_scoping import OrganizationScopedAdmin
from surveys.models import Invitation, UndeliverableAddress


@admin.register(Invitation)
class InvitationAdmin(OrganizationScopedAdmin):
    list_display = [
        "created_at", "survey", "email", "state", "origin", "due_at", "sent_at",
        "attempts", "reminders_sent",
    ]  # fmt: skip
    list_filter = ["organization", "state", "origin", "survey", "created_at"]
    search_fields = ["email", "customer__external_id", "event__event_id", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["survey"]
    readonly_fields = [
        field.name for field in Invitation._meta.fields if field.name != "token_salt"
    ]
    exclude = ["token_salt"]
    actions = ["requeue"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send failed invitations again"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        count = queryset.filter(state=Invitation.State.FAILED).update(
            state=Invitation.State.SCHEDULED, due_at=timezone.now(), attempts=0
        )
        messages.success(request, _("%(n)d invitation(s) queued again.") % {"n": count})


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(OrganizationScopedAdmin):
    list_display = ["email", "reason", "detail", "created_at"]
    list_filter = ["organization", "reason"]
    search_fields = ["email"]
