"""Public URLs of the surveys app: the answer page, unsubscribe, provider webhooks."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from surveys.views import answer, unsubscribe

app_name = "surveys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("s/<str:token>/", answer.answer, name="answer"),
    path("p/<str:token>/", answer.public, name="public-link"),
    path("s/<str:token>/unsubscribe/", unsubscribe.unsubscribe, name="unsubscribe"),
    # Email providers' tracking webhooks: /webhooks/anymail/<esp>/tracking/ (bounces,
    # complaints); protected by ANYMAIL_WEBHOOK_SECRET ("user:password" basic auth).
    path("webhooks/anymail/", include("anymail.urls")),
]
