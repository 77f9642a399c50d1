from __future__ import annotations

from django.urls import path, re_path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.page, name="dashboard"),
    path("panels/", views.panels, name="panels"),
    path("targets/", views.targets, name="targets"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
]
