"""The Django admin for the core domain, scoped to the staff user's organisations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin
from audit.models import Action, Channel, Subject
from audit.services import audit_record
from cx.admin_scoping import (
    OrganizationScopedAdmin,
    ScopedChoicesMixin,
    organizations_of,
)
from cx.models import (
    ApiKey,
    Customer,
    Event,
    Journey,
    Membership,
    Organization,
    Process,
    Role,
    Segment,
    Touchpoint,
    TouchpointEventType,
)
from cx.services.customers import customer_erase

admin.site.site_header = _("CX feedback administration")
admin.site.site_title = _("CX feedback")
# "View site" opens the staff's main page, not the public root.
admin.site.site_url = reverse_lazy("insights:dashboard")


class MembershipInline(ScopedChoicesMixin, admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "timezone",
        "default_language",
        "cx_owner",
        "response_retention_months",
    ]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return organizations_of(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser or (
            request.user.is_staff
            and (obj is None or organizations_of(request).filter(pk=obj.pk).exists())
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        owned = Membership.objects.filter(user=request.user, role=Role.OWNER)
        if obj is not None:
            owned = owned.filter(organization=obj)
        return owned.exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    list_display = [
        "name",
        "organization",
        "lookup",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["organization", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["lookup", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued by `manage.py create_api_key`, which shows them once

    @admin.action(description=_("Revoke selected API keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            api_key.revoke()
        messages.success(request, _("Revoked %(n)d key(s).") % {"n": queryset.count()})


@admin.register(Customer)
class CustomerAdmin(AuditedAdminMixin, OrganizationScopedAdmin):
    audit_subject = Subject.CUSTOMER
    audit_list_subject = Subject.CUSTOMERS
    list_display = [
        "__str__",
        "external_id",
        "email",
        "language",
        "opted_out",
        "updated_at",
    ]
    list_filter = ["organization", "language", "opted_out"]
    search_fields = ["external_id", "email", "name"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["erase"]

    @admin.action(description=_("Erase personal data of selected customers"))
    def erase(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        for customer in queryset.select_related("organization"):
            with transaction.atomic():
                customer_erase(customer=customer)
                audit_record(
                    request=request,
                    organization=customer.organization,
                    channel=Channel.ADMIN,
                    action=Action.ERASED,
                    subject=Subject.CUSTOMER,
                    subject_id=customer.pk,
                )
        messages.success(
            request, _("Erased %(n)d customer(s).") % {"n": queryset.count()}
        )


@admin.register(Segment)
class SegmentAdmin(OrganizationScopedAdmin):
    list_display = ["name", "key", "organization", "customer_count"]
    list_filter = ["organization"]
    search_fields = ["name", "key"]

    @admin.display(description=_("customers"))
    def customer_count(self, segment: Segment) -> int:
        return segment.customers().count()


@admin.register(Process)
class ProcessAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "owner"]
    list_filter = ["organization"]
    search_fields = ["name"]


class TouchpointInline(ScopedChoicesMixin, admin.TabularInline):
    model = Touchpoint
    extra = 0
    fields = ["position", "name", "channel", "process", "owner"]
    ordering = ["position"]


@admin.register(Journey)
class JourneyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "owner"]
    list_filter = ["organization"]
    search_fields = ["name"]
    inlines = [TouchpointInline]

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        for touchpoint in formset.save(commit=False):
            touchpoint.organization_id = form.instance.organization_id
            touchpoint.save()
        for removed in formset.deleted_objects:
            removed.delete()


class EventTypeInline(admin.TabularInline):
    model = TouchpointEventType
    extra = 1
    fields = ["event_type"]


@admin.register(Touchpoint)
class TouchpointAdmin(OrganizationScopedAdmin):
    list_display = [
        "name",
        "journey",
        "position",
        "channel",
        "process",
        "event_type_list",
    ]
    list_filter = ["organization", "journey", "channel", "process"]
    search_fields = ["name", "event_types__event_type"]
    inlines = [EventTypeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Touchpoint]:
        return super().get_queryset(request).select_related("journey", "process")

    @admin.display(description=_("event types"))
    def event_type_list(self, touchpoint: Touchpoint) -> str:
        return ", ".join(t.event_type for t in touchpoint.event_types.all())

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        for event_type in formset.save(commit=False):
            event_type.organization_id = form.instance.organization_id
            event_type.save()
        for removed in formset.deleted_objects:
            removed.delete()


@admin.register(Event)
class EventAdmin(OrganizationScopedAdmin):
    list_display = [
        "type",
        "event_id",
        "customer",
        "touchpoint",
        "occurred_at",
        "received_at",
    ]
    list_filter = ["organization", "type", "touchpoint__journey", "occurred_at"]
    search_fields = ["event_id", "type", "customer__external_id", "customer__email"]
    date_hierarchy = "occurred_at"
    list_select_related = ["customer", "touchpoint__journey"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
