"""API: surveys with their questions nested (texts per language, conditions)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from cx.api.fields import JSONObjectField, StrictModelSerializer
from cx.api.permissions import organization_of
from cx.api.views import OrganizationViewSet
from cx.models import Language
from surveys.models import Question, Survey
from surveys.services.surveys import survey_save


class QuestionSerializer(StrictModelSerializer):
    text = JSONObjectField(
        help_text='Text per language: {"fi": "…", "sv": "…", "en": "…"}.'
    )
    condition = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Show only when: a rule on earlier answers, segments or attributes.",
    )

    class Meta:
        model = Question
        fields = [
            "key", "position", "type", "text", "help_text_i18n", "required", "scale_min",
            "scale_max", "scale_low_label", "scale_high_label", "choices", "condition",
        ]  # fmt: skip
        extra_kwargs: dict[str, dict[str, Any]] = {
            "key": {"validators": []},
            "position": {"validators": []},
        }


class SurveySerializer(StrictModelSerializer):
    questions = QuestionSerializer(many=True, required=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), allow_empty=False
    )

    class Meta:
        model = Survey
        fields = [
            "id", "name", "audience", "purpose", "status", "languages", "title", "intro",
            "thank_you", "is_anonymous", "min_days_between_invitations", "questions",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []


class SurveyViewSet(OrganizationViewSet):
    """Surveys. PUT/PATCH with ``questions`` replaces the question list (matched by key)."""

    model = Survey
    serializer_class = SurveySerializer
    filterset_fields = ["status", "audience", "purpose"]

    def get_queryset(self) -> QuerySet[Survey]:
        return super().get_queryset().prefetch_related("questions")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        self._save(serializer, survey=serializer.instance)

    def _save(
        self, serializer: serializers.BaseSerializer, survey: Survey | None = None
    ) -> None:
        fields = dict(serializer.validated_data)
        questions = fields.pop("questions", None)
        serializer.instance = survey_save(
            organization=organization_of(self.request),
            fields=fields,
            questions=[dict(question) for question in questions]
            if questions is not None
            else None,
            survey=survey,
        )
