"""API: trigger rules (CRUD), invitations and suppressions (read-only, filterable)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cx.api.fields import (
    OrganizationScopedField,
    StrictModelSerializer,
    StrictSerializer,
)
from cx.api.filters import IdFilter, UTCDateTimeFilter
from cx.api.permissions import organization_of
from cx.api.views import OrganizationViewSet
from cx.models import Customer, Segment, Touchpoint
from surveys.emails import survey_url
from surveys.models import Invitation, Suppression, Survey, TriggerRule
from surveys.services.own_channel import invitation_own_channel_create


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
            "channel", "is_active", "created_at",
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
    touchpoint = IdFilter(field_name="event__touchpoint")


class InvitationFilter(DeliveryFilter):
    class Meta:
        model = Invitation
        fields = ["survey", "state", "origin", "channel"]


class SuppressionFilter(DeliveryFilter):
    survey = IdFilter(field_name="rule__survey")

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
            "id", "survey", "rule", "event", "customer", "origin", "channel", "email",
            "language",
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


class OwnChannelInvitationInSerializer(StrictSerializer):
    survey = OrganizationScopedField(queryset=Survey.objects.all())
    customer = serializers.CharField(
        max_length=200, help_text="The customer's external id."
    )
    expiry_days = serializers.IntegerField(
        min_value=1, max_value=365, default=14, help_text="How long the link works."
    )


class OwnChannelInvitationSerializer(InvitationSerializer):
    link = serializers.SerializerMethodField(
        help_text="The answer link to deliver. Shown in this answer only: it is "
        "stored hashed and never shown again."
    )

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]

    def get_link(self, invitation: Invitation) -> str:
        return survey_url(invitation)


class InvitationViewSet(OrganizationViewSet):
    """Invitations and their delivery state. The product writes them, except the ones
    a caller asks for to deliver through its own channel (POST)."""

    http_method_names = ["get", "post", "head", "options"]
    model = Invitation
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter

    def get_queryset(self) -> QuerySet[Invitation]:
        return super().get_queryset().select_related("customer", "event")

    @extend_schema(
        request=OwnChannelInvitationInSerializer,
        responses={201: OwnChannelInvitationSerializer},
        summary="Make an invitation for the caller to deliver through its own channel",
        description="No email is sent: the invitation is sent at once and this answer "
        "holds its answer link, which is never shown again. 400 when the survey is "
        "not active, the customer is unknown or opted out. The contact-frequency "
        "limits do not apply to an invitation asked for this way.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = organization_of(request)
        incoming = OwnChannelInvitationInSerializer(
            data=request.data, context={"organization": organization}
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        customer = (
            Customer.objects.for_organization(organization)
            .filter(external_id=data["customer"])
            .first()
        )
        if customer is None:
            raise ValidationError(
                {"customer": [_("No customer has this external id.")]}
            )
        invitation = invitation_own_channel_create(
            organization=organization,
            survey=data["survey"],
            customer=customer,
            expiry_days=data["expiry_days"],
        )
        return Response(
            OwnChannelInvitationSerializer(invitation).data,
            status=status.HTTP_201_CREATED,
        )


class SuppressionViewSet(OrganizationViewSet):
    """Events that matched a rule but sent nothing, each with its reason."""

    http_method_names = ["get", "head", "options"]
    model = Suppression
    serializer_class = SuppressionSerializer
    filterset_class = SuppressionFilter

    def get_queryset(self) -> QuerySet[Suppression]:
        return super().get_queryset().select_related("customer", "event", "rule")
