from __future__ import annotations

from django.urls import path

from insights import feedback_views

app_name = "feedback"

urlpatterns = [
    path("", feedback_views.feedback_list, name="list"),
    path("<int:pk>/", feedback_views.feedback_detail, name="detail"),
    path("delivery/", feedback_views.delivery_list, name="delivery"),
]
