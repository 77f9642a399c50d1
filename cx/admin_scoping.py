"""Admin scoping: a staff user sees and edits only what their role allows, and only in
the organisations they belong to.

Each admin names the permission of :mod:`cx.roles` needed to view its model and the
one needed to change it (add, change, delete, actions, inlines, list-editable fields);
both are checked against the user's role in the object's organisation.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, DateField, Model, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from cx.models import Organization
from cx.roles import Permission, roles_with


def organizations_allowing(
    request: HttpRequest, permission: Permission | None
) -> QuerySet[Organization]:
    """Return the organisations where the user's role allows ``permission``.

    Superusers may everything everywhere; ``None`` (a read-only model) nowhere else.
    """
    user = request.user
    if not (user.is_active and user.is_staff):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    if permission is None:
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=roles_with(permission)
    )


def may(
    request: HttpRequest,
    permission: Permission | None,
    organization_id: int | None = None,
) -> bool:
    """Return whether the user may ``permission`` in the organisation (or in any)."""
    organizations = organizations_allowing(request, permission)
    if organization_id is not None:
        organizations = organizations.filter(pk=organization_id)
    return organizations.exists()


def scoped_choices(
    queryset: QuerySet[Any],
    request: HttpRequest,
    organizations: QuerySet[Organization],
) -> QuerySet[Any]:
    """Return the choices of ``queryset`` that ``organizations`` own.

    Users are the staff user's colleagues, or not yet in any organisation (so that
    they can be made members); never another organisation's staff.
    """
    if request.user.is_superuser:
        return queryset
    model = queryset.model
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
        scoped = cast("ScopedRawIdWidget", copy.copy(widget))
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

    def choice_organizations(self, request: HttpRequest) -> QuerySet[Organization]:
        """Return the organisations whose rows a form of this admin may offer."""
        raise NotImplementedError

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(field, ModelChoiceField) and field.queryset is not None:
            field.queryset = scoped_choices(
                field.queryset, request, self.choice_organizations(request)
            )
            if isinstance(field.widget, ForeignKeyRawIdWidget):
                field.widget = ScopedRawIdWidget.narrowed(field.widget, field.queryset)
        return field

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(field, ModelChoiceField) and field.queryset is not None:
            field.queryset = scoped_choices(
                field.queryset, request, self.choice_organizations(request)
            )
        return field


class ScopedAllValuesFieldListFilter(admin.AllValuesFieldListFilter):
    """Offer the values found in the admin's (scoped) rows, not in every tenant's."""

    def __init__(
        self,
        field: Any,
        request: HttpRequest,
        params: dict[str, list[str]],
        model: type[Model],
        model_admin: admin.ModelAdmin[Any],
        field_path: str,
    ) -> None:
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
    """A ModelAdmin for a model with an ``organization`` field (``organization_field``).

    ``view_permission`` opens the list and the pages; ``change_permission`` (``None``:
    read-only) adds, changes and deletes; an action's own permission (``erase``) is a
    ``has_erase_permission(request, obj=None)`` method. Each is checked against
    the user's role in the object's organisation; the list shows only the rows of
    organisations where the role allows viewing, and a form offers only organisations
    (and their rows) where it allows the change.
    """

    organization_field = "organization"
    view_permission: Permission | None = None
    change_permission: Permission | None = None
    # Deleting needs more than changing where a delete destroys personal data.
    delete_permission: Permission | None = None

    def _organization_id(self, obj: Model) -> int | None:
        return getattr(obj, f"{self.organization_field}_id", None)

    def may(
        self, request: HttpRequest, permission: Permission | None, obj: Any = None
    ) -> bool:
        """Return whether the user may ``permission`` on ``obj`` (``None``: anywhere)."""
        if obj is None:
            return may(request, permission)
        organization_id = self._organization_id(obj)
        return organization_id is not None and may(request, permission, organization_id)

    def choice_organizations(self, request: HttpRequest) -> QuerySet[Organization]:
        return organizations_allowing(request, self.change_permission)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        viewable = organizations_allowing(
            request, self.view_permission
        ) | organizations_allowing(request, self.change_permission)
        return queryset.filter(
            **{f"{self.organization_field}__in": viewable.values("pk")}
        )

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [
            scoped_list_filter(self.model, entry)
            for entry in super().get_list_filter(request)
        ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or self.has_change_permission(request)

    def has_view_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.may(request, self.view_permission, obj)

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.may(request, self.change_permission, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.may(request, self.change_permission)

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return self.may(request, self.delete_permission or self.change_permission, obj)

    # The guards below ask the same has_*_permission methods as Django's views, so
    # that each rule is written once and every path (list-editable rows, a moved
    # object, bulk deletes, actions) depends on it.

    def _require_change(self, request: HttpRequest, obj: Model) -> None:
        """Refuse a write to ``obj`` (and, if it moved, from its old organisation)."""
        before = (
            type(obj)._default_manager.filter(pk=obj.pk).first()
            if obj.pk is not None
            else None
        )
        for version in (obj, before):
            if version is not None and not self.has_change_permission(request, version):
                raise PermissionDenied

    def _require_delete(self, request: HttpRequest, obj: Model) -> None:
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        # Also the path of list-editable rows, which Django checks only model-wide.
        self._require_change(request, obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._require_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self._require_delete(request, obj)
        super().delete_queryset(request, queryset)

    def _get_list_editable_queryset(
        self, request: HttpRequest, prefix: str
    ) -> QuerySet[Any]:
        queryset = super()._get_list_editable_queryset(request, prefix)
        return self.permitted(queryset, request, "change")

    def permitted(
        self, queryset: QuerySet[Any], request: HttpRequest, name: str
    ) -> QuerySet[Any]:
        """Return the rows of ``queryset`` that ``has_<name>_permission`` allows."""
        check = getattr(self, f"has_{name}_permission")
        if name == "add":
            return queryset if check(request) else queryset.none()
        allowed = [obj.pk for obj in queryset if check(request, obj)]
        return queryset.filter(pk__in=allowed)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """Offer the actions the role allows somewhere; each acts only where it may.

        Django offers an action when ``has_<permission>_permission(request)`` holds for
        each of its ``allowed_permissions``; its rows are narrowed here to those that
        ``has_<permission>_permission(request, row)`` allows (an action naming none
        needs "change").
        """
        return {
            name: (self._narrowed(action[0]), action[1], action[2])
            for name, action in super().get_actions(request).items()
            if action is not None
        }

    def _narrowed(self, func: Any) -> Any:
        needed = getattr(func, "allowed_permissions", None) or ("change",)

        @functools.wraps(func)
        def action(
            modeladmin: OrganizationScopedAdmin,
            request: HttpRequest,
            queryset: QuerySet[Any],
        ) -> Any:
            for name in needed:
                queryset = modeladmin.permitted(queryset, request, name)
            return func(modeladmin, request, queryset)

        return action


class ScopedInlineMixin(ScopedChoicesMixin):
    """An inline that the user may see and edit exactly as its parent object."""

    admin_site: admin.AdminSite
    parent_model: type[Model]

    def _parent_admin(self) -> OrganizationScopedAdmin:
        return self.admin_site._registry[self.parent_model]  # type: ignore[return-value]

    def choice_organizations(self, request: HttpRequest) -> QuerySet[Organization]:
        return self._parent_admin().choice_organizations(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        parent = self._parent_admin()
        return parent.has_view_permission(request, obj) or self.has_change_permission(
            request, obj
        )

    def _may_edit(self, request: HttpRequest, obj: Any) -> bool:
        parent = self._parent_admin()
        if obj is None:
            return parent.has_add_permission(request)
        return parent.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)
