"""API: webhook endpoints (CRUD; the secret shown once) and the delivery log (read, retry)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cx.api.authentication import ApiClient
from cx.api.errors import Conflict
from cx.api.fields import StrictModelSerializer
from cx.api.permissions import organization_of
from cx.api.views import OrganizationScoped, OrganizationViewSet
from webhooks import services
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(StrictModelSerializer):
    # Values without labels: the schema then names this choice set EventTypesEnum and
    # the deliveries' one EventTypeEnum, instead of warning that one set has two names.
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.values),
        allow_empty=False,
        max_length=len(EventType.values),
        help_text="The events this endpoint receives.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "event_types", "active", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_event_types(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=(
            "The signing secret (whsec_…), shown only in this response: keep it to "
            "verify the webhook-signature header of each request."
        ),
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointViewSet(OrganizationViewSet):
    """Where the organisation wants its events POSTed, signed (Standard Webhooks)."""

    model = WebhookEndpoint
    serializer_class = WebhookEndpointSerializer
    filterset_fields = ["active"]

    @extend_schema(
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        summary="Subscribe an endpoint; the answer carries its secret, shown only once",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.perform_create(incoming)
        created = WebhookEndpointCreatedSerializer(
            incoming.instance, context=self.get_serializer_context()
        )
        return Response(created.data, status=status.HTTP_201_CREATED)


def _own_endpoints(request: Request | None) -> QuerySet[WebhookEndpoint]:
    """Return the caller's endpoints: another organisation's id is simply invalid."""
    if request is None or not isinstance(request.user, ApiClient):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.for_organization(organization_of(request))


class WebhookDeliveryFilter(django_filters.FilterSet):
    endpoint = django_filters.ModelChoiceFilter(queryset=_own_endpoints)

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "state", "event_type"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    payload = serializers.JSONField(
        read_only=True, help_text="The JSON body sent: type, timestamp and data."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "endpoint", "event_type", "message_id", "payload", "state",
            "attempts", "due_at", "last_status_code", "last_error", "delivered_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookDeliveryViewSet(
    OrganizationScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The delivery log. Read-only, except that a failed delivery can be sent again."""

    model = WebhookDelivery
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter

    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(
                WebhookDeliverySerializer, description="Scheduled for a new attempt"
            ),
            409: OpenApiResponse(
                description="Not failed, or its endpoint is not active."
            ),
        },
        summary="Send a failed delivery again (same message id, fresh attempts)",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        delivery = self.get_object()
        retried = services.webhook_deliveries_retry(
            deliveries=self.get_queryset().filter(pk=delivery.pk)
        )
        if not retried:
            raise Conflict(
                _("Only a failed delivery to an active endpoint can be retried.")
            )
        delivery.refresh_from_db()
        return Response(
            self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED
        )
