from __future__ import annotations

from django.urls import path

from predictions import views

app_name = "predictions"

urlpatterns = [
    path("", views.at_risk, name="at_risk"),
    path("customers/<int:pk>/", views.customer, name="customer"),
    path("models/", views.models, name="models"),
    path("rules/new/", views.proactive_rule, name="proactive_rule"),
]
