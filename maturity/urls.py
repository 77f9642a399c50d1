from __future__ import annotations

from django.urls import path

from maturity import views

app_name = "maturity"

urlpatterns = [
    path("", views.page, name="page"),
    path("<int:pk>/report.pdf", views.report_download, name="report"),
]
