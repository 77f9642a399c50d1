"""``POST /api/v1/responses/import/``: load past survey results from another tool."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cx.api.fields import JSONObjectField, StrictSerializer
from cx.api.permissions import organization_of
from cx.models import Language
from surveys.models import Survey
from surveys.services.imports import ORIGINS, ImportedResponse, responses_import

MAX_ROWS = 5000


class ImportedResponseSerializer(StrictSerializer):
    completed_at = serializers.DateTimeField()
    answers = JSONObjectField(
        help_text="Question key → answer (number, choice key(s), text)."
    )
    origin = serializers.ChoiceField(choices=list(ORIGINS), default="periodic")
    anonymous = serializers.BooleanField(default=True)
    customer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's external id.",
    )
    touchpoint = serializers.IntegerField(required=False, allow_null=True, default=None)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True, default=""
    )


class ImportSerializer(StrictSerializer):
    survey = serializers.IntegerField(
        help_text="The id of the survey the answers belong to."
    )
    # DRF passes max_length to the ListSerializer of many=True; the stubs lack it.
    responses = ImportedResponseSerializer(  # type: ignore[call-arg]
        many=True, allow_empty=False, max_length=MAX_ROWS
    )


class ImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    rejected = serializers.IntegerField()
    # Shadows Serializer.errors: this serializer only documents a response body.
    errors = serializers.DictField(help_text="Row index → field errors.")  # type: ignore[assignment]


class ResponseImportView(APIView):
    @extend_schema(
        request=ImportSerializer,
        responses={201: ImportResultSerializer},
        summary="Import historical responses (kept with their origin)",
    )
    def post(self, request: Request) -> Response:
        organization = organization_of(request)
        incoming = ImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data: dict[str, Any] = incoming.validated_data
        survey = (
            Survey.objects.for_organization(organization)
            .filter(pk=data["survey"])
            .first()
        )
        if survey is None:
            raise ValidationError({"survey": ["No such survey."]})
        rows = [
            ImportedResponse(
                completed_at=row["completed_at"],
                answers=row["answers"],
                origin=row["origin"],
                anonymous=row["anonymous"],
                customer_external_id=row["customer"],
                touchpoint_id=row["touchpoint"],
                language=row["language"],
            )
            for row in data["responses"]
        ]
        outcome = responses_import(organization=organization, survey=survey, rows=rows)
        if not outcome.imported:
            raise ValidationError(
                {
                    "responses": {
                        str(index): errors for index, errors in outcome.errors.items()
                    }
                }
            )
        body = {
            "imported": outcome.imported,
            "rejected": len(outcome.errors),
            "errors": {str(index): errors for index, errors in outcome.errors.items()},
        }
        return Response(body, status=status.HTTP_201_CREATED)
