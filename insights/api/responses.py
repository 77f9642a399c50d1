"""API: ``responses/``, the organisation's responses with their answers and links.

Read-only: responses are written by the answer page and by imports. Each response
carries the context it was given in (survey, touchpoint, journey, process, the segments
snapshot), so an integrating system can join feedback to its own data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cx.api.views import OrganizationViewSet
from cx.audit.api import AuditedReadsMixin
from cx.audit.models import Subject
from insights.api.metrics import RefSerializer
from insights.models import CommentAnalysis, ResponseTheme
from insights.selectors.responses import ResponseFilter, score_of_response
from surveys.models import Answer, Question, Response, ResponseSegment


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.key")
    type = serializers.ChoiceField(
        source="question.type", choices=Question.Type.choices
    )
    value = serializers.IntegerField(
        source="number",
        allow_null=True,
        help_text="Scales and yes (1) / no (0); null for choices and text.",
    )

    class Meta:
        model = Answer
        fields = ["question", "type", "value", "choices", "text"]


class SegmentSnapshotSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        source="segment_id", allow_null=True, help_text="Null if since deleted."
    )

    class Meta:
        model = ResponseSegment
        fields = ["id", "key"]


class ThemeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # Shadows Field.label (a serializer is a field): the theme's label in the body.
    label = serializers.CharField()  # type: ignore[assignment]


class LinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    survey = serializers.CharField()
    touchpoint = serializers.CharField(allow_null=True)
    journey = serializers.CharField(allow_null=True)
    process = serializers.CharField(allow_null=True)
    customer = serializers.CharField(allow_null=True)
    invitation = serializers.CharField(allow_null=True)


def _link(name: str, key: object) -> str | None:
    return None if key is None else reverse(name, args=[key])


class ResponseSerializer(serializers.ModelSerializer):
    survey = RefSerializer()
    touchpoint = RefSerializer(allow_null=True)
    journey = RefSerializer(allow_null=True)
    process = RefSerializer(allow_null=True)
    customer = serializers.CharField(
        source="customer.external_id",
        default=None,
        allow_null=True,
        help_text="The customer's external id; null when anonymous.",
    )
    score = serializers.IntegerField(
        allow_null=True, help_text="The NPS answer, else the first answer's number."
    )
    answers = AnswerSerializer(many=True)
    segments = SegmentSnapshotSerializer(
        many=True, help_text="The customer's segments when the response was completed."
    )
    themes = serializers.SerializerMethodField(
        help_text="The themes of the response's comments (insights: themes/)."
    )
    sentiment = serializers.SerializerMethodField(
        help_text="The comments' sentiment: positive, negative, mixed or unknown "
        "(unknown also when there is no comment or too little to learn from)."
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id", "survey", "touchpoint", "journey", "process", "customer", "origin",
            "channel", "state", "language", "is_anonymous", "score", "answers",
            "segments", "started_at", "completed_at", "imported_at", "themes",
            "sentiment", "links",
        ]  # fmt: skip

    @extend_schema_field(ThemeRefSerializer(many=True))
    def get_themes(self, response: Response) -> list[dict[str, Any]]:
        return [
            {"id": tagged.theme_id, "label": tagged.theme.label}
            for tagged in response.comment_themes.all()
        ]

    @extend_schema_field(
        serializers.ChoiceField(choices=CommentAnalysis.Sentiment.choices)
    )
    def get_sentiment(self, response: Response) -> str:
        analysis = getattr(response, "comment_analysis", None)
        return analysis.sentiment if analysis else CommentAnalysis.Sentiment.UNKNOWN

    @extend_schema_field(LinksSerializer)
    def get_links(self, response: Response) -> dict[str, str | None]:
        customer = response.customer
        return {
            "self": reverse("response-detail", args=[response.pk]),
            "survey": reverse("survey-detail", args=[response.survey_id]),
            "touchpoint": _link("touchpoint-detail", response.touchpoint_id),
            "journey": _link("journey-detail", response.journey_id),
            "process": _link("process-detail", response.process_id),
            "customer": _link(
                "customer-detail", customer.external_id if customer else None
            ),
            "invitation": _link("invitation-detail", response.invitation_id),
        }


class ResponseViewSet(AuditedReadsMixin, OrganizationViewSet):
    """Responses with answers, newest first; filter by context, score, time, comment."""

    audit_subject = Subject.RESPONSE
    audit_list_subject = Subject.RESPONSES
    http_method_names = ["get", "head", "options"]
    model = Response
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Any]:
        answers = Answer.objects.select_related("question").order_by(
            "question__position"
        )
        return (
            super()
            .get_queryset()
            .select_related("survey", "touchpoint", "journey", "process", "customer")
            .prefetch_related(
                Prefetch("answers", queryset=answers),
                Prefetch("segments", queryset=ResponseSegment.objects.order_by("key")),
                Prefetch(
                    "comment_themes",
                    queryset=ResponseTheme.objects.select_related("theme").order_by(
                        "theme__label"
                    ),
                ),
            )
            .select_related("comment_analysis")
            .annotate(score=score_of_response())
        )
