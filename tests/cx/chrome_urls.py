"""The product's URLs plus pages that fail on purpose, for the error page tests."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from cx.roles import Permission
from cx.staff import RoleRequired, staff_membership
from cx.urls import handler403, handler404, handler500
from cx.urls import urlpatterns as product

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@login_required
def needs_feedback(request: HttpRequest) -> HttpResponse:
    """Refuse as a staff page does when the role lacks VIEW_FEEDBACK."""
    staff_membership(request)
    raise RoleRequired(Permission.VIEW_FEEDBACK)


def breaks(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns: list[URLPattern | URLResolver] = [
    path("test/needs-feedback/", needs_feedback),
    path("test/breaks/", breaks),
    *product,
]
