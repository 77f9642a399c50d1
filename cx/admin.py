"""The Django admin for the core domain, scoped to the staff user's organisations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import JSONField, QuerySet
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

# Memberships and API keys have an admin module of their own.
from cx import admin_access  # noqa: F401
from cx.admin_scoping import (
    OrganizationScopedAdmin,
    ScopedChoicesMixin,
    ScopedInlineMixin,
    may,
    organizations_allowing,
)
from cx.audit.admin import AuditedAdminMixin
from cx.audit.models import Action, Channel, Subject
from cx.audit.services import audit_record
from cx.models import (
    Customer,
    Event,
    Journey,
    Membership,
    Organization,
    Process,
    Segment,
    Touchpoint,
    TouchpointEventType,
)
from cx.roles import Permission
from cx.services.customers import customer_erase

admin.site.site_header = _("CX feedback administration")
admin.site.site_title = _("CX feedback")
# "View site" opens the staff's main page, not the public root.
# The stubs want a str; a lazy one is resolved when the admin renders (after URLs load).
admin.site.site_url = reverse_lazy("insights:dashboard")  # type: ignore[assignment]


class MembershipInline(admin.TabularInline):
    """The members, to read: they change on the Memberships pages, through the rules."""

    model = Membership
    extra = 0
    fields = readonly_fields = ("user", "role", "created_at")
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Organization].has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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

    # The organisation's settings are its owners' (superusers add and delete).
    manage = Permission.MANAGE_ORGANIZATION

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return organizations_allowing(request, self.manage)

    def choice_organizations(self, request: HttpRequest) -> QuerySet[Organization]:
        return organizations_allowing(request, self.manage)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request, self.manage)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request, self.manage, obj.pk if obj is not None else None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request, self.manage, obj.pk if obj is not None else None)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Customer)
class CustomerAdmin(AuditedAdminMixin, OrganizationScopedAdmin):
    audit_subject = Subject.CUSTOMER
    audit_list_subject = Subject.CUSTOMERS
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.CONFIGURE_CX
    # Deleting a customer takes their answers, events and cases with them.
    delete_permission = Permission.ERASE_CUSTOMERS
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

    def has_erase_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may(request, Permission.ERASE_CUSTOMERS, obj)

    @admin.action(
        description=_("Erase personal data of selected customers"),
        permissions=("erase",),
    )
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
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
    list_display = ["name", "key", "organization", "customer_count"]
    list_filter = ["organization"]
    search_fields = ["name", "key"]

    @admin.display(description=_("customers"))
    def customer_count(self, segment: Segment) -> int:
        return segment.customers().count()


@admin.register(Process)
class ProcessAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
    list_display = ["name", "organization", "owner"]
    list_filter = ["organization"]
    search_fields = ["name"]


class TouchpointInline(ScopedInlineMixin, admin.TabularInline):
    model = Touchpoint
    extra = 0
    fields = ["position", "name", "name_translations", "channel", "process", "owner"]
    ordering = ["position"]
    # A row of the table: the names per language fit a small box.
    formfield_overrides = {
        JSONField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 32})}
    }


@admin.register(Journey)
class JourneyAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
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


class EventTypeInline(ScopedInlineMixin, admin.TabularInline):
    model = TouchpointEventType
    extra = 1
    fields = ["event_type"]


@admin.register(Touchpoint)
class TouchpointAdmin(OrganizationScopedAdmin):
    view_permission = Permission.VIEW_CONFIGURATION
    change_permission = Permission.CONFIGURE_CX
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
    view_permission = Permission.VIEW_FEEDBACK
    change_permission = Permission.CONFIGURE_CX  # events are never edited
    # Deleting an event takes its invitations, suppressions and answers' context.
    delete_permission = Permission.ERASE_CUSTOMERS
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
