"""Public URLs of the surveys app: the answer page, unsubscribe, provider webhooks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail import urls as anymail_urls
from anymail.utils import get_anymail_setting
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from surveys.views import answer, unsubscribe

app_name = "surveys"


def _configured_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 404 for an email provider webhook that is not set up here.

    Without ANYMAIL_WEBHOOK_SECRET, django-anymail accepts the webhooks it protects with
    basic auth from anyone (it only warns): a forged bounce or unsubscribe would stop
    the surveys of any organisation's customer. A provider whose own signing keys are
    missing would fail with a server error instead.
    """
    needs_secret = getattr(
        getattr(view, "view_class", None), "warn_if_no_basic_auth", True
    )

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if needs_secret and not get_anymail_setting("webhook_secret", default=None):
            raise Http404("Email provider webhooks need ANYMAIL_WEBHOOK_SECRET.")
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured:
            raise Http404("This email provider's webhook is not configured.") from None

    return guarded


provider_webhooks = [
    URLPattern(
        pattern.pattern,
        _configured_only(pattern.callback),
        pattern.default_args,
        pattern.name,
    )
    for pattern in anymail_urls.urlpatterns
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("s/<str:token>/", answer.answer, name="answer"),
    path("p/<str:token>/", answer.public, name="public-link"),
    path("s/<str:token>/unsubscribe/", unsubscribe.unsubscribe, name="unsubscribe"),
    # Email providers' tracking webhooks: /webhooks/anymail/<esp>/tracking/ (bounces,
    # complaints); protected by ANYMAIL_WEBHOOK_SECRET ("user:password" basic auth).
    path("webhooks/anymail/", include((provider_webhooks, "anymail"))),
]
