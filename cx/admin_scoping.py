"""Admin scoping: a staff user sees and edits only the organisations they belong to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from cx.models import Organization


def organizations_of(request: HttpRequest) -> QuerySet[Organization]:
    """Return the organisations the logged-in staff user may see."""
    if request.user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=request.user)


class OrganizationScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin for a model with an ``organization`` field (``organization_field``)."""

    organization_field = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.organization_field}__in": organizations_of(request)}
        )

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if isinstance(field, ModelChoiceField) and not request.user.is_superuser:
            related = db_field.related_model
            if related is Organization:
                field.queryset = organizations_of(request)
            elif any(f.name == "organization" for f in related._meta.get_fields()):
                field.queryset = field.queryset.filter(
                    organization__in=organizations_of(request)
                )
        return field

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def _is_member(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None or request.user.is_superuser:
            return request.user.is_active and request.user.is_staff
        organization_id = getattr(obj, f"{self.organization_field}_id", None)
        return organizations_of(request).filter(pk=organization_id).exists()

    def has_view_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self._is_member(request, obj)

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self._is_member(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self._is_member(request, obj)
