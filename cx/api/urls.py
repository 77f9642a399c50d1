"""The API router: the one place that composes every app's API under ``/api/v1/``."""

from __future__ import annotations

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from cx.api import memberships as membership_api
from cx.api import views
from followups import api as followup_api
from followups import policy_api as followup_policy_api
from insights.api import exports as export_api
from insights.api import metrics as metrics_api
from insights.api import responses as response_api
from insights.api import targets as target_api
from insights.text import api as theme_api
from maturity import api as maturity_api
from predictions import api as prediction_api
from surveys.api import imports as import_api
from surveys.api import policies as policy_api
from surveys.api import surveys as survey_api
from surveys.api import triggers as trigger_api
from webhooks import api as webhook_api

router = SimpleRouter(trailing_slash=True)
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("events", views.EventViewSet, basename="event")
router.register("segments", views.SegmentViewSet, basename="segment")
router.register("processes", views.ProcessViewSet, basename="process")
router.register("journeys", views.JourneyViewSet, basename="journey")
router.register("touchpoints", views.TouchpointViewSet, basename="touchpoint")
router.register("surveys", survey_api.SurveyViewSet, basename="survey")
router.register(
    "trigger-rules", trigger_api.TriggerRuleViewSet, basename="trigger-rule"
)
router.register("invitations", trigger_api.InvitationViewSet, basename="invitation")
router.register("suppressions", trigger_api.SuppressionViewSet, basename="suppression")
router.register("followups", followup_api.FollowUpViewSet, basename="followup")
router.register("public-links", policy_api.PublicLinkViewSet, basename="public-link")
router.register("memberships", membership_api.MembershipViewSet, basename="membership")
router.register("responses", response_api.ResponseViewSet, basename="response")
router.register("themes", theme_api.ThemeViewSet, basename="theme")
router.register(
    "maturity/assessments",
    maturity_api.AssessmentViewSet,
    basename="maturity-assessment",
)
router.register(
    "predictions/definitions",
    prediction_api.DefinitionViewSet,
    basename="prediction-definition",
)
router.register(
    "predictions/versions", prediction_api.VersionViewSet, basename="prediction-version"
)
router.register(
    "webhook-endpoints", webhook_api.WebhookEndpointViewSet, basename="webhook-endpoint"
)
router.register(
    "webhook-deliveries",
    webhook_api.WebhookDeliveryViewSet,
    basename="webhook-delivery",
)

urlpatterns = [
    path("events/batch/", views.EventBatchView.as_view(), name="event-batch"),
    path(
        "responses/import/",
        import_api.ResponseImportView.as_view(),
        name="response-import",
    ),
    path("metrics/", metrics_api.MetricsView.as_view(), name="metrics"),
    path("targets/", target_api.TargetsView.as_view(), name="targets"),
    path(
        "contact-policy/",
        policy_api.ContactPolicyView.as_view(),
        name="contact-policy",
    ),
    path(
        "followup-policy/",
        followup_policy_api.FollowUpPolicyView.as_view(),
        name="followup-policy",
    ),
    path(
        "predictions/risks/", prediction_api.RiskList.as_view(), name="prediction-risks"
    ),
    path(
        "predictions/customers/<str:external_id>/",
        prediction_api.CustomerRisks.as_view(),
        name="prediction-customer",
    ),
    path(
        "predictions/effects/",
        prediction_api.EffectList.as_view(),
        name="prediction-effects",
    ),
    re_path(
        r"^maturity/assessments/(?P<pk>-?[0-9]+)/report\.pdf$",
        maturity_api.AssessmentViewSet.as_view({"get": "report"}),
        name="maturity-assessment-report",
    ),
    path(
        "maturity/self-assessment/",
        maturity_api.SelfAssessmentView.as_view(),
        name="maturity-self-assessment",
    ),
    path("", include(router.urls)),
]

urlpatterns += [
    path(
        "responses/export.csv",
        export_api.ResponseCsvExportView.as_view(),
        name="response-export-csv",
    ),
    path(
        "responses/export.xlsx",
        export_api.ResponseXlsxExportView.as_view(),
        name="response-export-xlsx",
    ),
]
