"""The product's URLs plus pages that fail on purpose, for the error page tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from cx.urls import handler403, handler404, handler500
from cx.urls import urlpatterns as product

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def breaks(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns: list[URLPattern | URLResolver] = [
    path("test/breaks/", breaks),
    *product,
]
