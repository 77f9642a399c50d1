"""API: trigger rules (CRUD), invitations and suppressions (read-only, filterable)."""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import serializers

from cx.api.fields import OrganizationScopedField, StrictModelSerializer
from cx.api.filters import UTCDateTimeFilter
from cx.api.views import OrganizationViewSet
from cx.models import Segment, Touchpoint
from surveys.models import Invitation, Suppression, Survey, TriggerRule


class TriggerRuleSerializer(StrictModelSerializer):
    survey = OrganizationScopedField(queryset=Survey.objects.all())
    touchpoint = OrganizationScopedField(
        queryset=Touchpoint.objects.all(), required=False, allow_null=True
    )
    segments_all = OrganizationScopedField(
        queryset=Segment.objects.all(), many=True, required=False
    )
    segments_none = OrganizationScopedField(
        queryset=Segment.objects.all(), many=True, required=False
    )
    sampling_percent = serializers.IntegerField(min_value=0, max_value=100, default=100)
    expiry_days = serializers.IntegerField(min_value=1, max_value=365, default=14)
    holdout_percent = serializers.IntegerField(min_value=0, max_value=50, default=10)

    class Meta:
        model = TriggerRule
        fields = [
            "id", "name", "survey", "touchpoint", "event_type", "segments_all",
            "segments_none", "delay_minutes", "sampling_percent", "holdout_percent",
            "quiet_start", "quiet_end",
            "expiry_days", "reminder_count", "reminder_interval_days", "priority",
            "is_active", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        merged = {**self._current(), **attrs}
        if not merged.get("touchpoint") and not merged.get("event_type"):
            raise serializers.ValidationError(
                {"touchpoint": ["Give a touchpoint, an event type, or both."]}
            )
        if (merged.get("quiet_start") is None) != (merged.get("quiet_end") is None):
            raise serializers.ValidationError(
                {"quiet_end": ["Give both ends of the quiet hours, or neither."]}
            )
        return attrs

    def _current(self) -> dict[str, Any]:
        rule = self.instance
        if rule is None:
            return {}
        return {
            "touchpoint": rule.touchpoint,
            "event_type": rule.event_type,
            "quiet_start": rule.quiet_start,
            "quiet_end": rule.quiet_end,
        }


class TriggerRuleViewSet(OrganizationViewSet):
    model = TriggerRule
    serializer_class = TriggerRuleSerializer
    filterset_fields = ["survey", "touchpoint", "is_active"]


class DeliveryFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__external_id",
        max_length=200,
        help_text="The customer's external id.",
    )
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")
    touchpoint = django_filters.NumberFilter(field_name="event__touchpoint")


class InvitationFilter(DeliveryFilter):
    class Meta:
        model = Invitation
        fields = ["survey", "state", "origin"]


class SuppressionFilter(DeliveryFilter):
    survey = django_filters.NumberFilter(field_name="rule__survey")

    class Meta:
        model = Suppression
        fields = ["rule", "reason"]


class InvitationSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(
        source="customer.external_id", default=None, allow_null=True
    )
    event = serializers.CharField(
        source="event.event_id", default=None, allow_null=True
    )

    class Meta:
        model = Invitation
        fields = [
            "id", "survey", "rule", "event", "customer", "origin", "email", "language",
            "state", "due_at", "expires_at", "sent_at", "opened_at", "answered_at",
            "attempts", "last_error", "reminders_sent", "created_at",
        ]  # fmt: skip


class SuppressionSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(
        source="customer.external_id", default=None, allow_null=True
    )
    event = serializers.CharField(source="event.event_id")
    survey = serializers.IntegerField(source="rule.survey_id")

    class Meta:
        model = Suppression
        fields = [
            "id",
            "rule",
            "survey",
            "event",
            "customer",
            "reason",
            "detail",
            "created_at",
        ]


class InvitationViewSet(OrganizationViewSet):
    """Invitations and their delivery state. Read-only: the product writes them."""

    http_method_names = ["get", "head", "options"]
    model = Invitation
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("customer", "event")


class SuppressionViewSet(OrganizationViewSet):
    """Events that matched a rule but sent nothing, each with its reason."""

    http_method_names = ["get", "head", "options"]
    model = Suppression
    serializer_class = SuppressionSerializer
    filterset_class = SuppressionFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("customer", "event", "rule")
