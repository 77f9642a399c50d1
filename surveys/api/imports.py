"""``POST /api/v1/responses/import/``: load past survey results from another tool.

Retry-safe: a row carrying ``external_id`` that is stored already is answered 200 with
the stored response's id (see ``surveys.services.imports`` for the rules).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cx.api.errors import Conflict
from cx.api.fields import JSONObjectField, StrictSerializer
from cx.api.permissions import organization_of
from cx.models import Language
from surveys.models import Survey
from surveys.services.imports import (
    ORIGINS,
    ImportConflict,
    ImportedResponse,
    RowStatus,
    responses_import,
)

MAX_ROWS = 5000
ROW_STATUS = {
    RowStatus.STORED: status.HTTP_201_CREATED,
    RowStatus.ALREADY_STORED: status.HTTP_200_OK,
    RowStatus.REJECTED: status.HTTP_400_BAD_REQUEST,
}


class ImportedResponseSerializer(StrictSerializer):
    external_id = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your own id of the response, unique in your organisation: a row "
        "whose id is stored already is not stored again (answered 200 with the "
        "stored response's id), so an import can be retried.",
    )
    completed_at = serializers.DateTimeField()
    answers = JSONObjectField(
        help_text="Question key → answer (number, choice key(s), text)."
    )
    origin = serializers.ChoiceField(choices=list(ORIGINS), default="periodic")
    anonymous = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Left out or null: anonymous exactly when no customer is named. "
        "true with a customer, or false without one, is refused.",
    )
    customer = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="The customer's external id: the response is linked to the "
        "customer, who is created if unknown. Refused for an anonymous survey.",
    )
    touchpoint = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**63 - 1
    )
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True, default=""
    )


class ImportSerializer(StrictSerializer):
    survey = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of the survey the answers belong to.",
    )
    # DRF passes max_length to the ListSerializer of many=True; the stubs lack it.
    responses = ImportedResponseSerializer(  # type: ignore[call-arg]
        many=True, allow_empty=False, max_length=MAX_ROWS
    )


class ImportRowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in 'responses'.")
    status = serializers.IntegerField(
        help_text="201 stored now, 200 stored before (same external_id), 400 refused."
    )
    response = serializers.IntegerField(
        allow_null=True, help_text="The stored response's id; null when refused."
    )
    # Shadows Serializer.errors: this serializer only documents a response body.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="Why the row was refused: its field errors."
    )


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Rows stored before.")
    rejected = serializers.IntegerField()
    results = ImportRowResultSerializer(many=True)


class ResponseImportView(APIView):
    @extend_schema(
        request=ImportSerializer,
        responses={
            201: ImportResultSerializer,
            200: OpenApiResponse(
                ImportResultSerializer,
                description="Nothing new: every valid row was stored before.",
            ),
        },
        summary="Import historical responses (kept with their origin); retry-safe",
        description=f"At most {MAX_ROWS} rows. Each row is answered on its own in "
        "'results'; the valid rows, their customers and answers are stored together "
        "or not at all. 400 (with each row's errors under 'responses') when no row "
        "is valid; 409 when a concurrent import stored one of the rows' external ids "
        "first (nothing stored: retry).",
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
            raise ValidationError({"survey": [_("No such survey.")]})
        rows = [
            ImportedResponse(
                completed_at=row["completed_at"],
                answers=row["answers"],
                origin=row["origin"],
                anonymous=row["anonymous"],
                customer_external_id=row["customer"],
                touchpoint_id=row["touchpoint"],
                language=row["language"],
                external_id=row["external_id"],
            )
            for row in data["responses"]
        ]
        try:
            outcome = responses_import(
                organization=organization, survey=survey, rows=rows
            )
        except ImportConflict:
            raise Conflict(
                _("A concurrent import stored some of these rows first; retry.")
            ) from None
        rejected = outcome.errors
        if len(rejected) == len(rows):
            raise ValidationError(
                {
                    "responses": {
                        str(index): errors for index, errors in rejected.items()
                    }
                }
            )
        created = outcome.count(RowStatus.STORED)
        body = {
            "created": created,
            "duplicates": outcome.count(RowStatus.ALREADY_STORED),
            "rejected": len(rejected),
            "results": [
                {
                    "index": index,
                    "status": ROW_STATUS[row.status],
                    "response": row.response_id,
                    **({"errors": row.errors} if row.errors else {}),
                }
                for index, row in enumerate(outcome.rows)
            ],
        }
        return Response(
            body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
