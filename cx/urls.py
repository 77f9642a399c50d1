"""URL composition of the whole product."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cx import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cx.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # The split view serves its start-up script as a file: no inline script (CSP).
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="api-docs",
    ),
    # The header's language switch: Django's set_language, saved for a member too.
    path("i18n/setlang/", views.language_choose, name="set_language"),
    path("maturity/", include("maturity.urls")),
    path("followups/", include("followups.urls")),
    path("dashboard/", include("insights.urls")),
    path("feedback/", include("insights.feedback_urls")),
    path("predictions/", include("predictions.urls")),
    path("", include("surveys.urls")),
]

handler403 = "cx.errors.forbidden"
handler404 = "cx.errors.not_found"
handler500 = "cx.errors.server_error"
