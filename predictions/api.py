"""API under /api/v1/predictions/: definitions, versions, risks, effects.

Reads need the ``read`` scope; changing definitions and requesting a training, ``manage``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cx.api.fields import OrganizationScopedField, StrictModelSerializer
from cx.api.filters import IdFilter, refuse_unknown_parameters
from cx.api.permissions import organization_of
from cx.api.views import OrganizationViewSet
from cx.digits import MAX_ID
from cx.models import Customer, Touchpoint
from predictions import effects, explain, selectors, services
from predictions.models import CustomerRisk, ModelVersion, PredictionDefinition


class DefinitionSerializer(StrictModelSerializer):
    touchpoint = OrganizationScopedField(
        queryset=Touchpoint.objects.all(), required=False, allow_null=True
    )
    horizon_days = serializers.IntegerField(min_value=1, max_value=365, default=60)
    threshold = serializers.FloatField(min_value=0.01, max_value=0.99, default=0.6)
    attribute = serializers.CharField(read_only=True)

    class Meta:
        model = PredictionDefinition
        fields = [
            "id", "key", "name", "kind", "touchpoint", "event_type", "horizon_days",
            "threshold", "is_active", "attribute", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        kind = attrs.get("kind", getattr(current, "kind", None))
        touchpoint = attrs.get("touchpoint", getattr(current, "touchpoint", None))
        event_type = attrs.get("event_type", getattr(current, "event_type", ""))
        if kind == PredictionDefinition.Kind.DETRACTOR and touchpoint is None:
            raise serializers.ValidationError(
                {"touchpoint": ["A detractor prediction names its touchpoint."]}
            )
        if kind == PredictionDefinition.Kind.EVENT and not event_type:
            raise serializers.ValidationError(
                {"event_type": ["An event prediction names its event type."]}
            )
        return attrs


class VersionSerializer(serializers.ModelSerializer):
    definition = serializers.IntegerField(source="definition_id")
    refused_because = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = [
            "id", "definition", "number", "state", "progress", "step", "card",
            "refusals", "refused_because", "error", "created_at", "started_at",
            "finished_at",
        ]  # fmt: skip

    def get_refused_because(self, version: ModelVersion) -> list[str]:
        return [explain.refusal_words(r) for r in version.refusals or []]


class RiskSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.external_id")
    definition = serializers.IntegerField(source="definition_id")
    version = serializers.IntegerField(source="version.number")
    reasons_in_words = serializers.SerializerMethodField()

    class Meta:
        model = CustomerRisk
        fields = [
            "customer", "definition", "version", "risk", "at_risk", "reasons",
            "reasons_in_words", "scored_at",
        ]  # fmt: skip

    def get_reasons_in_words(self, risk: CustomerRisk) -> list[str]:
        return explain.reasons_words(risk.reasons, self.context.get("labels"))


class EffectSerializer(serializers.Serializer):
    definition = serializers.IntegerField()
    rule = serializers.IntegerField()
    rule_name = serializers.CharField()
    measured = serializers.BooleanField()
    waiting = serializers.IntegerField()
    acted = serializers.IntegerField()
    acted_outcomes = serializers.IntegerField()
    held_out = serializers.IntegerField()
    held_out_outcomes = serializers.IntegerField()
    holdout_share = serializers.FloatField()
    difference = serializers.FloatField(allow_null=True)
    difference_low = serializers.FloatField(allow_null=True)
    difference_high = serializers.FloatField(allow_null=True)
    sample_ratio_p = serializers.FloatField()
    sample_ratio_alert = serializers.BooleanField()


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def effect_rows(measured: list[effects.RuleEffect]) -> list[dict[str, Any]]:
    return [
        {
            "definition": m.definition.pk,
            "rule": m.rule.pk,
            "rule_name": m.rule.name,
            "measured": m.measured,
            "waiting": m.waiting,
            **{k: _finite(v) for k, v in m.effect.as_dict().items()},
        }
        for m in measured
    ]


class DefinitionViewSet(OrganizationViewSet):
    """Prediction definitions; ``train`` queues a training (progress on the version)."""

    model = PredictionDefinition
    serializer_class = DefinitionSerializer
    filterset_fields = ["kind", "is_active"]

    @extend_schema(
        request=None,
        responses={202: VersionSerializer},
        summary="Queue a training of this prediction (or return the one running)",
    )
    @action(detail=True, methods=["post"])
    def train(self, request: Request, pk: str | None = None) -> Response:
        definition = self.get_object()
        version = services.training_request(definition=definition)
        return Response(
            VersionSerializer(version).data, status=status.HTTP_202_ACCEPTED
        )


class VersionViewSet(OrganizationViewSet):
    """Model versions with their model card, or why the gate refused them."""

    http_method_names = ["get", "head", "options"]
    model = ModelVersion
    serializer_class = VersionSerializer
    filterset_fields = ["definition", "state"]


# The risk list's query parameters, refused when anything else is asked.
RISK_FILTERS = {
    "definition": IdFilter(),
    "at_risk": django_filters.BooleanFilter(),
}


@extend_schema(
    parameters=[
        OpenApiParameter(
            "definition",
            {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            description="Only this prediction definition's risks.",
        ),
        OpenApiParameter(
            "at_risk",
            OpenApiTypes.BOOL,
            description="true: only customers at risk; false: only those not.",
        ),
    ]
)
class RiskList(ListAPIView):
    """Customers' current risks, riskiest first, with their top three reasons."""

    serializer_class = RiskSerializer

    def get_queryset(self) -> QuerySet[CustomerRisk]:
        if getattr(self, "swagger_fake_view", False):
            return CustomerRisk.objects.none()
        refuse_unknown_parameters(self.request, RISK_FILTERS)
        risks = (
            CustomerRisk.objects.for_organization(organization_of(self.request))
            .select_related("customer", "version")
            .order_by("-risk", "pk")
        )
        definition = self.request.query_params.get("definition")
        if definition is not None:
            try:
                definition_id = RISK_FILTERS["definition"].field.clean(definition)
            except DjangoValidationError as error:
                raise serializers.ValidationError(
                    {"definition": error.messages}
                ) from None
            risks = risks.filter(definition_id=definition_id)
        at_risk = self.request.query_params.get("at_risk")
        if at_risk is not None:
            risks = risks.filter(at_risk=at_risk == "true")
        return risks

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["labels"] = selectors.event_labels(organization_of(self.request))
        return context


class CustomerRisksSerializer(serializers.Serializer):
    customer = serializers.CharField()
    risks = RiskSerializer(many=True)


class CustomerRisks(APIView):
    """One customer's risks under every prediction, with reasons in words."""

    @extend_schema(responses={200: CustomerRisksSerializer})
    def get(self, request: Request, external_id: str) -> Response:
        organization = organization_of(request)
        customer = get_object_or_404(
            Customer.objects.for_organization(organization), external_id=external_id
        )
        risks = selectors.risks_of_customer(
            organization=organization, customer=customer
        )
        context = {"labels": selectors.event_labels(organization)}
        return Response(
            {
                "customer": customer.external_id,
                "risks": RiskSerializer(risks, many=True, context=context).data,
            }
        )


class EffectList(APIView):
    """The measured effect of every rule acting on a prediction (acted − held out)."""

    @extend_schema(responses={200: EffectSerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = effect_rows(effects.effects_of(organization_of(request)))
        return Response(EffectSerializer(rows, many=True).data)
