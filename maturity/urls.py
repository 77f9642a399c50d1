from __future__ import annotations

from django.urls import path

from maturity import views

app_name = "maturity"

urlpatterns = [
    path("", views.page, name="page"),
    path("live/", views.live, name="live"),
    path("assess/", views.assess, name="assess"),
    path("self-assessment/", views.self_assessment, name="self_assessment"),
    path("<int:pk>/report.pdf", views.report_download, name="report"),
]
