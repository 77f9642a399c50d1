"""Public URLs of the surveys app: the answer page, unsubscribe, provider webhooks."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "surveys"

urlpatterns: list[URLPattern | URLResolver] = []
