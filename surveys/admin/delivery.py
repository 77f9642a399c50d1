"""Admin: invitations (what was sent, how it went) and undeliverable addresses.

Read-only: delivery state moves only through the delivery services. The one action
re-queues failed invitations, which the send step checks again (opt-out, bounces).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cx.admin_scoping import OrganizationScopedAdmin
from cx.publish import publish_on_commit
from cx.roles import Permission
from surveys.models import Invitation, UndeliverableAddress
from surveys.services import delivery


class ProblemFilter(admin.SimpleListFilter):
    title = _("problem")
    parameter_name = "problem"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("error", _("Has an error noted")),
            ("ambiguous", _("Ambiguous send")),
            ("retrying", _("Waiting for a retry")),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Invitation]
    ) -> QuerySet[Invitation]:
        if self.value() == "error":
            return queryset.exclude(last_error="")
        if self.value() == "ambiguous":
            return queryset.filter(last_error__contains=delivery.AMBIGUOUS)
        if self.value() == "retrying":
            return queryset.filter(
                state=Invitation.State.SCHEDULED, attempts__gt=0
            ).exclude(last_error="")
        return queryset


@admin.register(Invitation)
class InvitationAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.CONFIGURE_CX
    list_display = [
        "email", "survey", "channel", "state", "due_at", "sent_at", "attempts", "reminders_sent",
        "error",
    ]  # fmt: skip
    list_filter = [
        "organization", "state", ProblemFilter, "survey", "origin", "channel", "language",
        "rule",
    ]  # fmt: skip
    search_fields = ["email", "customer__external_id", "event__event_id", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["survey"]
    ordering = ["-created_at"]
    actions = ["requeue_failed"]
    exclude = ["token_salt", "token_hash"]
    readonly_fields = [
        field.name
        for field in Invitation._meta.fields
        if field.name not in {"token_salt", "token_hash"}
    ]

    @admin.display(description=_("last error"))
    def error(self, invitation: Invitation) -> str:
        return Truncator(invitation.last_error).chars(80)

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

    def has_requeue_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.may(request, Permission.CONFIGURE_CX, obj)

    @admin.action(
        description=_("Re-queue the selected failed invitations"),
        permissions=("requeue",),
    )
    def requeue_failed(
        self, request: HttpRequest, queryset: QuerySet[Invitation]
    ) -> None:
        from surveys.tasks import invitations_dispatch

        with transaction.atomic():
            ids = delivery.invitations_requeue(invitations=queryset)
            publish_on_commit(invitations_dispatch, ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed invitation re-queued.",
                "%(count)d failed invitations re-queued.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS if ids else messages.WARNING,
        )


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.CONFIGURE_CX
    list_display = ["email", "reason", "detail", "created_at"]
    list_filter = ["organization", "reason", "created_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
