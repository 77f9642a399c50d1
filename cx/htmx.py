"""The request type of pages that answer htmx requests (django-htmx's middleware)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that ``django_htmx.middleware.HtmxMiddleware`` has passed through."""

    htmx: HtmxDetails
