"""The API router: the one place that composes every app's API under ``/api/v1/``."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from cx.api import views

router = SimpleRouter(trailing_slash=True)
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("segments", views.SegmentViewSet, basename="segment")
router.register("processes", views.ProcessViewSet, basename="process")
router.register("journeys", views.JourneyViewSet, basename="journey")
router.register("touchpoints", views.TouchpointViewSet, basename="touchpoint")

urlpatterns = [
    path("events/", views.EventView.as_view(), name="event-list"),
    path("events/batch/", views.EventBatchView.as_view(), name="event-batch"),
    path("", include(router.urls)),
]
