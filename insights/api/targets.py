"""API: ``targets/``, the values the organisation aims at per metric (and journey).

Read with the ``read`` scope; set with ``manage`` through the same service as the
dashboard's form (``insights.targets.metric_targets_set``), so the same ranges hold;
each change is written to the audit log with the key as actor.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cx.api.fields import OrganizationScopedField, StrictSerializer
from cx.api.permissions import organization_of
from cx.audit.services import Action, Channel, Subject, audit_record
from cx.models import Journey
from insights.metrics import Metric
from insights.models import MetricTarget
from insights.targets import TARGETED, metric_targets_set, target_range


class TargetSerializer(serializers.ModelSerializer):
    journey = serializers.IntegerField(
        source="journey_id",
        allow_null=True,
        help_text="Null: the organisation's target for every journey.",
    )

    class Meta:
        model = MetricTarget
        fields = ["metric", "journey", "value"]


def _value_field(metric: Metric) -> serializers.FloatField:
    low, high = target_range(metric)
    return serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=low,
        max_value=high,
        help_text=f"From {low:g} to {high:g}; null removes the target.",
    )


class TargetsInSerializer(StrictSerializer):
    journey = OrganizationScopedField(
        queryset=Journey.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The journey these targets are for; null or left out: every journey.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for metric in TARGETED:
            fields[metric.value] = _value_field(metric)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(attrs) == 1:
            raise serializers.ValidationError(
                _("Give at least one metric's target (or null to remove it).")
            )
        return attrs


class TargetsView(APIView):
    """The organisation's metric targets; a journey's own come first where set."""

    def _targets(self, request: Request) -> list[dict[str, Any]]:
        targets = MetricTarget.objects.for_organization(
            organization_of(request)
        ).order_by("journey_id", "metric")
        return list(TargetSerializer(targets, many=True).data)

    @extend_schema(
        responses={200: TargetSerializer(many=True)},
        summary="List the metric targets",
    )
    def get(self, request: Request) -> Response:
        return Response(self._targets(request))

    @extend_schema(
        request=TargetsInSerializer,
        responses={200: TargetSerializer(many=True)},
        summary="Set or remove metric targets, for every journey or for one",
        description="Metrics left out keep their targets. 400 with each metric's "
        "error when a value is outside its scale; nothing is saved then.",
    )
    def put(self, request: Request) -> Response:
        organization = organization_of(request)
        incoming = TargetsInSerializer(
            data=request.data, context={"organization": organization}
        )
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        journey = data.pop("journey")
        with transaction.atomic():
            metric_targets_set(
                organization=organization,
                values={Metric(name): value for name, value in data.items()},
                journey=journey,
            )
            audit_record(
                request=request,
                organization=organization,
                channel=Channel.API,
                action=Action.CHANGED,
                subject=Subject.METRIC_TARGETS,
                detail={"journey": journey.pk if journey else None, "targets": data},
            )
        return Response(self._targets(request))
