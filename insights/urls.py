from __future__ import annotations

from django.urls import path, re_path

from insights import views
from insights.text import views as text_views

app_name = "insights"

urlpatterns = [
    path("", views.page, name="dashboard"),
    path("panels/", views.panels, name="panels"),
    path("targets/", views.targets, name="targets"),
    path("themes/", text_views.themes_page, name="themes"),
    path("themes/rules/", text_views.theme_rule_add, name="theme_rule_add"),
    path("themes/train/", text_views.themes_train, name="themes_train"),
    path("themes/<int:pk>/", text_views.theme_edit, name="theme_edit"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
]
