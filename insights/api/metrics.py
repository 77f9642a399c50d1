"""API: ``metrics/``, a metric with its 95 % intervals, grouped as asked.

The answer is built as plain data rather than through serializers: a grouped answer can
have hundreds of rows and the database already did the work. The output serializers
below describe it for the schema.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from cx.api.fields import StrictQuerySerializer
from cx.api.permissions import organization_of
from cx.digits import MAX_ID
from cx.models.journeys import Channel
from insights import metrics, selectors
from insights.metrics import DEFINITIONS, Metric


def _id_filter(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=help_text
    )


class MetricsQuerySerializer(StrictQuerySerializer):
    metric = serializers.ChoiceField(
        choices=[(metric.value, DEFINITIONS[metric].label) for metric in Metric]
    )
    group_by = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Comma-separated, at most three of: "
        + ", ".join(metrics.DIMENSIONS)
        + ". Segments are those recorded when the response was completed.",
    )
    since = serializers.DateTimeField(
        required=False,
        default=None,
        help_text="From this moment (inclusive); a date means its midnight, UTC.",
    )
    until = serializers.DateTimeField(
        required=False, default=None, help_text="Up to this moment (exclusive)."
    )
    survey = _id_filter("Only this survey's answers.")
    touchpoint = _id_filter("Only this touchpoint.")
    journey = _id_filter("Only this journey.")
    process = _id_filter("Only this business process.")
    segment = _id_filter("Only responses given in this segment.")
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Only this channel."
    )

    def validate_group_by(self, value: str) -> list[str]:
        return [name.strip() for name in value.split(",") if name.strip()]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        metric = Metric(attrs["metric"])
        group_by_errors = metrics.group_by_errors(metric, attrs["group_by"])
        if group_by_errors:
            errors["group_by"] = group_by_errors
        since, until = attrs["since"], attrs["until"]
        if since is not None and until is not None and since >= until:
            errors["until"] = [_("Must be later than since.")]
        if (
            "segment" in attrs
            and DEFINITIONS[metric].source is metrics.Source.INVITATIONS
        ):
            errors["segment"] = [_("The response rate cannot be filtered by segment.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def filters(self) -> dict[str, object]:
        return {
            name: self.validated_data[name]
            for name in selectors.FILTERS
            if name in self.validated_data
        }


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SegmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null if since deleted.")
    key = serializers.CharField()
    name = serializers.CharField()


class ChannelRefSerializer(serializers.Serializer):
    # Plain text: the channel enum is named once, on the touchpoint.
    key = serializers.CharField(help_text="web, chat, email, phone, branch, app, other")
    name = serializers.CharField()


class MetricRowSerializer(serializers.Serializer):
    """One group. Only the dimensions asked for are present; null means "none"."""

    touchpoint = RefSerializer(required=False, allow_null=True)
    journey = RefSerializer(required=False, allow_null=True)
    process = RefSerializer(required=False, allow_null=True)
    survey = RefSerializer(required=False, allow_null=True)
    segment = SegmentRefSerializer(
        required=False, allow_null=True, help_text="Null: the response was in none."
    )
    channel = ChannelRefSerializer(required=False, allow_null=True)
    day = serializers.DateField(required=False)
    week = serializers.DateField(required=False, help_text="The week's Monday.")
    month = serializers.DateField(required=False, help_text="The month's first day.")
    n = serializers.IntegerField(
        help_text="Answers, responses, or invitations sent (response rate)."
    )
    value = serializers.FloatField(
        allow_null=True, help_text="Null when n is below min_sample."
    )
    ci_low = serializers.FloatField(allow_null=True, help_text="95 % interval.")
    ci_high = serializers.FloatField(allow_null=True)
    reason = serializers.CharField(
        allow_null=True, help_text="Why value is null, else null."
    )


class MetricsSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=[metric.value for metric in Metric])
    group_by = serializers.ListField(child=serializers.CharField())
    min_sample = serializers.IntegerField()
    rows = MetricRowSerializer(many=True)


def _plain(label: selectors.Label | date | None) -> Any:
    return label.isoformat() if isinstance(label, date) else label


class MetricsView(APIView):
    @extend_schema(
        parameters=[MetricsQuerySerializer],
        responses={200: MetricsSerializer},
        summary="A metric with its 95 % interval, grouped as asked",
        description=(
            "NPS, CSAT, CES (mean and % easy), FCR, response rate or the count of "
            "responses, per group of the dimensions in group_by. Groups with fewer "
            "than min_sample answers have no value, and say why in reason."
        ),
    )
    def get(self, request: Request) -> ApiResponse:
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        group_by = query.validated_data["group_by"]
        rows = selectors.metric_rows(
            organization=organization_of(request),
            metric=query.validated_data["metric"],
            group_by=group_by,
            since=query.validated_data["since"],
            until=query.validated_data["until"],
            filters=query.filters(),
        )
        return ApiResponse(
            {
                "metric": query.validated_data["metric"],
                "group_by": group_by,
                "min_sample": selectors.min_sample(),
                "rows": [
                    {
                        **{name: _plain(row.groups[name]) for name in group_by},
                        "n": row.n,
                        "value": row.value,
                        "ci_low": row.ci_low,
                        "ci_high": row.ci_high,
                        "reason": row.reason,
                    }
                    for row in rows
                ],
            }
        )
