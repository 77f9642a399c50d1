"""API: ``themes/``, the organisation's comment themes with their volume and impact.

Read-only (the ``read`` scope): themes are learned from the comments and edited by the
CX manager on the themes page. ``journey``, ``touchpoint`` and ``segment`` (a segment
key) narrow the comments the volume, share and impact are counted over.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from cx.api.views import OrganizationViewSet
from cx.digits import is_digits
from insights.text.models import Theme
from insights.text.selectors import Scope, ThemeRow, theme_impacts

MAX_ID = 2**31 - 1


class ImpactSerializer(serializers.Serializer):
    metric = serializers.CharField()
    n = serializers.IntegerField(help_text="Responses that gave the metric.")
    theme_value = serializers.FloatField(
        allow_null=True, help_text="The metric among the theme's commenters."
    )
    overall = serializers.FloatField(allow_null=True)
    without = serializers.FloatField(
        allow_null=True, help_text="The metric without the theme's comments."
    )
    change = serializers.FloatField(
        allow_null=True, help_text="without − overall: what the theme costs (or gives)."
    )
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)


class ThemeSerializer(serializers.ModelSerializer):
    comments = serializers.SerializerMethodField()
    share = serializers.SerializerMethodField()
    impact = serializers.SerializerMethodField()

    class Meta:
        model = Theme
        fields = [
            "id",
            "label",
            "kind",
            "words",
            "keywords",
            "comments",
            "share",
            "impact",
        ]

    def _row(self, theme: Theme) -> ThemeRow | None:
        return self.context.get("impacts", {}).get(theme.pk)

    @extend_schema_field(OpenApiTypes.INT)
    def get_comments(self, theme: Theme) -> int:
        row = self._row(theme)
        return row.volume if row else 0

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_share(self, theme: Theme) -> float:
        row = self._row(theme)
        return round(row.share, 4) if row else 0.0

    @extend_schema_field(ImpactSerializer(allow_null=True))
    def get_impact(self, theme: Theme) -> dict[str, Any] | None:
        row = self._row(theme)
        if row is None:
            return None
        impact = row.impact
        return {
            "metric": "nps",
            "n": impact.n,
            "theme_value": impact.theme_value,
            "overall": impact.overall,
            "without": impact.without,
            "change": impact.change,
            "ci_low": impact.ci_low,
            "ci_high": impact.ci_high,
        }


def _id(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if raw == "":
        raise ValidationError({name: ["May not be empty."]})
    if not is_digits(raw) or not 0 < int(raw) <= MAX_ID:
        raise ValidationError({name: ["A whole number id."]})
    return int(raw)


SCOPE_PARAMETERS = [
    OpenApiParameter("journey", OpenApiTypes.INT, description="Only this journey."),
    OpenApiParameter(
        "touchpoint", OpenApiTypes.INT, description="Only this touchpoint."
    ),
    OpenApiParameter("segment", OpenApiTypes.STR, description="Only this segment key."),
]


@extend_schema_view(
    list=extend_schema(parameters=SCOPE_PARAMETERS),
    retrieve=extend_schema(parameters=SCOPE_PARAMETERS),
)
class ThemeViewSet(OrganizationViewSet):
    """Comment themes, largest NPS impact first, with volume, share and impact."""

    http_method_names = ["get", "head", "options"]
    model = Theme
    serializer_class = ThemeSerializer
    lookup_value_regex = "[0-9]+"
    scope_parameters = ("journey", "touchpoint", "segment")  # read by _scope

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super().get_queryset().filter(active=True, merged_into__isnull=True)
        ).order_by("pk")

    def _scope(self) -> Scope:
        params = self.request.query_params
        return Scope(
            journey=_id(params.get("journey"), "journey"),
            touchpoint=_id(params.get("touchpoint"), "touchpoint"),
            segment=(params.get("segment") or "")[:100],
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if "organization" in context:
            context["impacts"] = {
                row.theme.pk: row
                for row in theme_impacts(
                    organization=context["organization"], scope=self._scope()
                )
            }
        return context
