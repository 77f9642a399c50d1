"""Rate limits for the public answer pages and the API, shared through the cache.

Fixed one-minute windows counted in Django's cache: with ``CACHE_URL=redis://…`` every
web process shares the counters, so a limit holds across a whole deployment. Past the
limit a request gets 429 with ``Retry-After``. The API is limited per API key (and per
address for requests without one); the answer pages per client address.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from cx.api.errors import problem_response

WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """Return the client's address (the proxy's X-Forwarded-For when behind one)."""
    if getattr(settings, "DJANGO_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _api_client(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Bearer "):
        # Limit by key, but never keep the secret itself as a cache key.
        return "key:" + hashlib.sha256(header.encode()).hexdigest()[:24]
    return "ip:" + client_address(request)


def hit(scope: str, who: str, limit: int) -> int | None:
    """Count one request; return seconds to wait when over ``limit``, else None."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"ratelimit:{scope}:{who}:{window}"
    cache.add(key, 0, WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS + 5)
        count = 1
    if count > limit:
        return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
    return None


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limits = settings.RATE_LIMITS
        path = request.path
        if path.startswith("/api/v1/") and limits.get("api"):
            wait = hit("api", _api_client(request), limits["api"])
            if wait is not None:
                response: HttpResponse = problem_response(
                    429, "Too many requests; slow down."
                )
                response["Retry-After"] = str(wait)
                return response
        elif path.startswith(("/s/", "/p/")) and limits.get("public"):
            wait = hit("public", "ip:" + client_address(request), limits["public"])
            if wait is not None:
                # Before LocaleMiddleware: speak the customer's language ourselves.
                wanted = request.GET.get("lang", "")
                if wanted not in dict(settings.LANGUAGES):
                    wanted = translation.get_language_from_request(request)
                with translation.override(wanted):
                    response = render(
                        request, "surveys/answer/too_many.html", status=429
                    )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
