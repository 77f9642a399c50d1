from __future__ import annotations

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.page, name="dashboard"),
    path("panels/", views.panels, name="panels"),
]
