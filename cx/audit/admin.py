"""Admin: the audit log, to read and filter only — nobody adds, changes or deletes entries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from cx.admin_scoping import OrganizationScopedAdmin
from cx.audit.models import Action, AuditEntry, Channel, Subject
from cx.audit.services import audit_record
from cx.models import Organization
from cx.roles import Permission


@admin.register(AuditEntry)
class AuditEntryAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_AUDIT_LOG
    change_permission = None  # read-only
    list_display = ["at", "actor", "action", "subject", "subject_id", "channel"]
    list_filter = ["organization", "action", "subject", "channel"]
    search_fields = ["actor", "=subject_id"]
    date_hierarchy = "at"
    list_select_related = ["organization"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Model | None = None
    ) -> list[str]:
        return [field.name for field in AuditEntry._meta.fields]

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


class AuditedAdminMixin:
    """For a ModelAdmin of personal data: record the change page and list pages shown.

    A list page is recorded once per organisation on it, with the ids of its rows.
    """

    audit_subject: Subject
    audit_list_subject: Subject

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        shown = getattr(response, "context_data", None) or {}
        original = shown.get("original")
        if request.method == "GET" and response.status_code == 200 and original:
            audit_record(
                request=request,
                organization=original.organization,
                channel=Channel.ADMIN,
                action=Action.VIEWED,
                subject=self.audit_subject,
                subject_id=original.pk,
            )
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is None:
            return response
        ids_by_organization: dict[int, list[int]] = defaultdict(list)
        for row in changelist.result_list:
            ids_by_organization[row.organization_id].append(row.pk)
        organizations = Organization.objects.in_bulk(list(ids_by_organization))
        for organization_id, ids in ids_by_organization.items():
            audit_record(
                request=request,
                organization=organizations[organization_id],
                channel=Channel.ADMIN,
                action=Action.VIEWED,
                subject=self.audit_list_subject,
                detail={"ids": ids},
            )
        return response
