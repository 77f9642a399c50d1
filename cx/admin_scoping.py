"""Admin scoping: a staff user sees and edits only the organisations they belong to."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, DateField, Model, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from cx.models import Organization


def organizations_of(request: HttpRequest) -> QuerySet[Organization]:
    """Return the organisations the logged-in staff user may see."""
    if request.user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=request.user)


def scoped_choices(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """Return the choices of ``queryset`` that the staff user's organisations own.

    Users are the staff user's colleagues, or not yet in any organisation (so that
    they can be made members); never another organisation's staff.
    """
    if request.user.is_superuser:
        return queryset
    model = queryset.model
    organizations = organizations_of(request)
    if model is Organization:
        return queryset.filter(pk__in=organizations)
    if model is get_user_model():
        return queryset.filter(
            Q(memberships__organization__in=organizations)
            | Q(memberships__isnull=True, is_superuser=False)
        ).distinct()
    if any(f.name == "organization" for f in model._meta.get_fields()):
        return queryset.filter(organization__in=organizations)
    return queryset


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box that names the object it holds only if it is among the choices.

    Django's widget looks the id up in the whole table, so that posting any id would
    show that object's name beside the box.
    """

    scope: QuerySet[Any]

    @classmethod
    def narrowed(cls, widget: ForeignKeyRawIdWidget, scope: QuerySet[Any]) -> Any:
        scoped = copy.copy(widget)
        scoped.__class__ = cls
        scoped.scope = scope
        return scoped

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            known = self.scope.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            known = False
        return super().label_and_url_for_value(value) if known else ("", "")


class ScopedChoicesMixin:
    """Offer in select boxes, raw-id and many-to-many fields only scoped choices."""

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(field, ModelChoiceField):
            field.queryset = scoped_choices(field.queryset, request)
            if isinstance(field.widget, ForeignKeyRawIdWidget):
                field.widget = ScopedRawIdWidget.narrowed(field.widget, field.queryset)
        return field

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(field, ModelChoiceField):
            field.queryset = scoped_choices(field.queryset, request)
        return field


class ScopedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """Offer the values found in the admin's (scoped) rows, not in every tenant's."""

    def __init__(self, field, request, params, model, model_admin, field_path):  # type: ignore[no-untyped-def]
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .distinct()
            .order_by(field_path)
            .values_list(field_path, flat=True)
        )


def scoped_list_filter(model: type[Model], entry: Any) -> Any:
    """Return a list filter whose choices come from the admin's scoped rows.

    Django's default filters of a relation (and of a value across one) list every row
    of the related table: other organisations' names, in the sidebar.
    """
    if not isinstance(entry, str):
        return entry
    fields = get_fields_from_path(model, entry)
    last = fields[-1]
    if last.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    if len(fields) > 1 and not (
        last.choices or isinstance(last, BooleanField | DateField)
    ):
        return (entry, ScopedAllValuesFieldListFilter)
    return entry


class OrganizationScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """A ModelAdmin for a model with an ``organization`` field (``organization_field``)."""

    organization_field = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            **{f"{self.organization_field}__in": organizations_of(request)}
        )

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [
            scoped_list_filter(self.model, entry)
            for entry in super().get_list_filter(request)
        ]

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
