"""The maturity API: request assessments, read them, and keep the self-assessment."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cx.api.errors import Conflict
from cx.api.fields import StrictSerializer
from cx.api.permissions import organization_of
from maturity import report, selectors, services
from maturity.method import DIMENSIONS, SELF_ASSESSMENT_ITEMS, SELF_ASSESSMENT_STEPS
from maturity.models import Assessment


class AssessmentRequestSerializer(StrictSerializer):
    period_start = serializers.DateTimeField(
        required=False, allow_null=True, default=None
    )
    period_end = serializers.DateTimeField(
        required=False, allow_null=True, default=None
    )


class AssessmentSerializer(serializers.ModelSerializer):
    level_name = serializers.SerializerMethodField()
    score = serializers.DecimalField(
        source="index", max_digits=4, decimal_places=2, allow_null=True, read_only=True
    )
    dimensions = serializers.SerializerMethodField()
    overclaims = serializers.SerializerMethodField()
    held_back_by = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "status",
            "period_start",
            "period_end",
            "level",
            "level_name",
            "score",
            "confidence",
            "confidence_label",
            "dimensions",
            "overclaims",
            "held_back_by",
            "report_url",
            "error",
            "created_at",
            "completed_at",
        ]

    def get_level_name(self, assessment: Assessment) -> str:
        return str(assessment.result.get("level_name", ""))

    def get_dimensions(self, assessment: Assessment) -> list[dict[str, Any]]:
        return list(assessment.result.get("dimensions", []))

    def get_overclaims(self, assessment: Assessment) -> list[str]:
        return list(assessment.result.get("overclaims", []))

    def get_held_back_by(self, assessment: Assessment) -> list[str]:
        return list(assessment.result.get("held_back_by", []))

    def get_report_url(self, assessment: Assessment) -> str | None:
        if assessment.status != Assessment.Status.DONE:
            return None
        return f"/api/v1/maturity/assessments/{assessment.pk}/report.pdf"


class AssessmentViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Assessments are computed by a Celery task: POST answers 202, then poll the id."""

    serializer_class = AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        return selectors.assessments_of(organization=organization_of(self.request))

    @extend_schema(
        request=AssessmentRequestSerializer, responses={202: AssessmentSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = AssessmentRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assessment = services.assessment_request(
            organization=organization_of(request), **incoming.validated_data
        )
        assessment.refresh_from_db()
        return Response(
            AssessmentSerializer(assessment).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        parameters=[OpenApiParameter("lang", str, enum=list(report.REPORT_LANGUAGES))],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The assessment is not finished yet."),
        },
    )
    def report(
        self, request: Request, pk: str | None = None
    ) -> HttpResponse | Response:
        """Return the executive report of a finished assessment as PDF."""
        assessment = self.get_object()
        if assessment.status != Assessment.Status.DONE:
            raise Conflict("The assessment is not finished yet.")
        pdf = report.report_pdf(
            assessment=assessment, language=request.query_params.get("lang")
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        slug, day = assessment.organization.slug, f"{assessment.period_end:%Y-%m-%d}"
        response["Content-Disposition"] = (
            f'attachment; filename="cx-maturity-{slug}-{day}.pdf"'
        )
        return response


class SelfAssessmentSerializer(StrictSerializer):
    answers = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=4),
        help_text="Item key → step: 1 Undeveloped, 2 Ad hoc, 3 Repeatable, 4 Systematic.",
    )
    importance = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        required=False,
        default=dict,
        help_text="Dimension key (D1…D9) → importance 1–5.",
    )


class SelfAssessmentView(APIView):
    """The self-assessment: what the organisation says about itself."""

    def _state(self, request: Request) -> dict[str, Any]:
        organization = organization_of(request)
        answers = selectors.self_assessment_answers(organization=organization)
        return {
            "steps": SELF_ASSESSMENT_STEPS,
            "items": [
                {
                    "key": key,
                    "dimension": dimension,
                    "statement": text,
                    "step": answers.get(key),
                }
                for key, dimension, text in SELF_ASSESSMENT_ITEMS
            ],
            "importance": {
                d.key: selectors.importance_of(organization=organization).get(d.key, 3)
                for d in DIMENSIONS
            },
            "levels": selectors.self_assessment_levels(organization=organization),
        }

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(self._state(request))

    @extend_schema(request=SelfAssessmentSerializer, responses={200: dict})
    def put(self, request: Request) -> Response:
        incoming = SelfAssessmentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.self_assessment_save(
            organization=organization_of(request),
            answers=incoming.validated_data["answers"],
            importance=incoming.validated_data["importance"],
        )
        return Response(self._state(request))
