"""The Django admin for the core domain, scoped to the staff user's organisations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import JSONField, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
    ApiKey,
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
from cx.models.tenancy import parse_api_key_scopes
from cx.roles import SCOPE_LABELS, Permission, Scope
from cx.services.api_keys import api_key_change, api_key_revoke
from cx.services.customers import customer_erase
from cx.services.memberships import (
    MembershipRefused,
    membership_add,
    membership_change_role,
    membership_check,
    membership_language_set,
    membership_remove,
)
from cx.staff import signed_in_user

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


class MembershipForm(forms.ModelForm):
    """Refuses, with the reason, what :mod:`cx.services.memberships` refuses."""

    acting_user: Any = None  # set per request by MembershipAdmin.get_form

    class Meta:
        model = Membership
        fields = ["organization", "user", "role", "language"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        current = (
            Membership.objects.select_related("organization", "user")
            .filter(pk=self.instance.pk)
            .first()
        )
        organization = current.organization if current else cleaned.get("organization")
        user = current.user if current else cleaned.get("user")
        role = cleaned.get("role")
        if organization is not None and user is not None and role:
            try:
                membership_check(
                    current=current,
                    organization=organization,
                    user_id=user.pk,
                    role=role,
                    by=self.acting_user,
                )
            except MembershipRefused as refusal:
                raise ValidationError(refusal.messages) from None
        return cleaned


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    """Memberships change only through the rules: never one's own, never the last owner."""

    view_permission = Permission.MANAGE_ORGANIZATION
    change_permission = Permission.MANAGE_ORGANIZATION
    form = MembershipForm
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    actions = ["remove_selected"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.acting_user = signed_in_user(request)  # type: ignore[attr-defined]  # a class made for this request
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "user"] if obj is not None else []

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # remove_selected keeps the rules
        return actions

    def save_model(
        self, request: HttpRequest, obj: Membership, form: Any, change: bool
    ) -> None:
        self._require_change(request, obj)
        try:
            if change:
                membership_change_role(
                    membership=obj, role=obj.role, by=signed_in_user(request)
                )
                membership_language_set(membership=obj, language=obj.language)
                return
            created = membership_add(
                organization=obj.organization,
                user=obj.user,
                role=obj.role,
                by=signed_in_user(request),
            )
            membership_language_set(membership=created, language=obj.language)
        except MembershipRefused as refusal:  # decided again under lock: a race
            raise PermissionDenied(" ".join(refusal.messages)) from None
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding, obj._state.db = False, created._state.db

    def delete_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        membership = self.get_object(request, unquote(object_id))
        if membership is not None and self.has_delete_permission(request, membership):
            try:
                membership_check(
                    current=membership,
                    organization=membership.organization,
                    user_id=membership.user_id,
                    role=None,
                    by=signed_in_user(request),
                )
            except MembershipRefused as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.ERROR)
                return HttpResponseRedirect(
                    reverse("admin:cx_membership_change", args=[membership.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        self._require_delete(request, obj)
        try:
            membership_remove(membership=obj, by=signed_in_user(request))
        except MembershipRefused as refusal:
            raise PermissionDenied(" ".join(refusal.messages)) from None

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Membership]
    ) -> None:
        with transaction.atomic():
            for membership in queryset:
                self.delete_model(request, membership)

    @admin.action(
        description=_("Remove the selected memberships"),
        permissions=("delete",),
    )
    def remove_selected(
        self, request: HttpRequest, queryset: QuerySet[Membership]
    ) -> None:
        try:
            with transaction.atomic():
                removed = 0
                for membership in queryset.select_related("organization"):
                    membership_remove(membership=membership, by=signed_in_user(request))
                    removed += 1
        except MembershipRefused as refusal:
            self.message_user(
                request,
                _("Nothing was removed: %(reason)s")
                % {"reason": " ".join(refusal.messages)},
                messages.ERROR,
            )
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d membership removed.",
                "%(count)d memberships removed.",
                removed,
            )
            % {"count": removed},
            messages.SUCCESS,
        )


class ApiKeyForm(forms.ModelForm):
    """An API key's scopes as one checkbox each."""

    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=[
            (scope.value, format_lazy("{} — {}", scope.value, SCOPE_LABELS[scope]))
            for scope in Scope
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiKey
        fields = ["organization", "name", "scopes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["scopes"] = self.instance.scope_list

    def clean_scopes(self) -> str:
        return ",".join(parse_api_key_scopes(",".join(self.cleaned_data["scopes"])))


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdmin):
    form = ApiKeyForm
    view_permission = Permission.MANAGE_ORGANIZATION
    change_permission = Permission.MANAGE_ORGANIZATION
    list_display = [
        "name",
        "scopes",
        "organization",
        "lookup",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["organization", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["lookup", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", *self.readonly_fields]  # no moving keys between orgs

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued by `manage.py create_api_key`, which shows them once

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: Any, change: bool
    ) -> None:
        api_key_change(
            api_key=obj,
            name=obj.name,
            scopes=obj.scope_list,
            by=signed_in_user(request),
            channel=Channel.ADMIN,
        )

    @admin.action(description=_("Revoke selected API keys"), permissions=("change",))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = sum(
            api_key_revoke(
                api_key=api_key, by=signed_in_user(request), channel=Channel.ADMIN
            )
            for api_key in queryset
        )
        messages.success(request, _("Revoked %(n)d key(s).") % {"n": revoked})


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
