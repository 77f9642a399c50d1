"""The Django admin of access to an organisation: memberships and API keys."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cx.admin_scoping import (
    OrganizationScopedAdmin,
)
from cx.audit.models import Channel
from cx.models import (
    ApiKey,
    Membership,
)
from cx.models.tenancy import parse_api_key_scopes
from cx.roles import SCOPE_LABELS, Permission, Scope
from cx.services.api_keys import api_key_change, api_key_revoke
from cx.services.memberships import (
    MembershipRefused,
    membership_add,
    membership_change_role,
    membership_check,
    membership_language_set,
    membership_remove,
)
from cx.staff import signed_in_user


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
