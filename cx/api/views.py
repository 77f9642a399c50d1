"""Views of the core API: thin glue of input serializer → service → output serializer."""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from cx.api import serializers as s
from cx.api.event_input import parse_event
from cx.api.filters import (
    OrganizationFilterBackend,
    TimeWindowForm,
    UTCDateTimeFilter,
)
from cx.api.permissions import organization_of
from cx.audit.api import AuditedReadsMixin
from cx.audit.models import Action, Channel, Subject
from cx.audit.services import audit_record
from cx.models import Customer, Event, Journey, Process, Segment, Touchpoint
from cx.roles import Scope
from cx.selectors import event_details
from cx.services import customers as customer_services
from cx.services import events as event_services
from cx.services.journeys import touchpoint_save


class OrganizationScoped(GenericAPIView):
    """The rows of ``model`` of the caller's organisation: every API view's queryset."""

    model: type[Model]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.model.objects.none()  # type: ignore[attr-defined]
        return self.model.objects.for_organization(organization_of(self.request))  # type: ignore[attr-defined]


class OrganizationViewSet(OrganizationScoped, viewsets.ModelViewSet):
    """CRUD over one model, always scoped to the caller's organisation."""

    filter_backends = [OrganizationFilterBackend]

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if getattr(self, "swagger_fake_view", False):
            return context
        context["organization"] = organization_of(self.request)
        return context

    def perform_create(self, serializer: BaseSerializer) -> None:
        # A savepoint, so that a uniqueness conflict (answered 409) leaves any outer
        # transaction usable.
        with transaction.atomic():
            serializer.save(organization=organization_of(self.request))

    def perform_update(self, serializer: BaseSerializer) -> None:
        with transaction.atomic():
            serializer.save()


def outcome_details(
    outcomes: list[event_services.EventOutcome],
) -> dict[int, dict[str, Any]]:
    """Return each event's extra output fields: as the receivers reported them for the
    events just stored, read back for the others."""
    known = {o.event.pk: o.details for o in outcomes if o.details is not None}
    missing = [o.event for o in outcomes if o.event.pk not in known]
    return {**event_details(missing), **known} if missing else known


class EventFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__external_id",
        max_length=200,
        help_text="The customer's external id.",
    )
    type = django_filters.CharFilter(
        field_name="type", max_length=200, help_text="The event type, exactly."
    )
    since = UTCDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label="Occurred from (incl.)"
    )
    until = UTCDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        label="Occurred before; must be later than since",
    )

    class Meta:
        model = Event
        fields = ["customer", "type", "since", "until"]
        form = TimeWindowForm


class EventViewSet(AuditedReadsMixin, OrganizationViewSet):
    """Business events: ingested one at a time, read back newest first."""

    audit_subject = Subject.EVENT
    audit_list_subject = Subject.EVENTS
    http_method_names = ["get", "post", "head", "options"]
    model = Event
    serializer_class = s.EventOutSerializer
    filterset_class = EventFilter
    lookup_value_regex = "[0-9]+"
    write_scope = Scope.EVENTS_WRITE

    def get_queryset(self) -> QuerySet[Event]:
        return super().get_queryset().select_related("customer", "touchpoint__journey")

    @extend_schema(
        summary="The organisation's events, newest first",
        description="Filter by customer (external id), type and time of occurrence.",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={200: s.EventWithDetailsSerializer},
        summary="An event with the invitations it scheduled and the suppressions",
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        audit_record(
            request=request,
            organization=organization_of(request),
            channel=Channel.API,
            action=Action.VIEWED,
            subject=Subject.EVENT,
            subject_id=event.pk,
        )
        return Response({**s.event_as_dict(event), **event_details([event])[event.pk]})

    @extend_schema(
        request=s.EventInSerializer,
        responses={
            201: s.EventWithDetailsSerializer,
            200: OpenApiResponse(
                s.EventWithDetailsSerializer, description="Already stored"
            ),
        },
        summary="Ingest one business event (idempotent by event_id)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # EventInSerializer is the documented schema; parse_event applies its rules
        # at a fraction of the cost (tests/cx/test_event_input.py holds them equal).
        event, errors = parse_event(request.data)
        if event is None:
            raise ValidationError(errors)
        (outcome,) = event_services.events_record(
            organization=organization_of(request), events=[event]
        )
        details = outcome_details([outcome])
        return Response(
            {**s.event_as_dict(outcome.event), **details[outcome.event.pk]},
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )


def batch_items(data: Any) -> list[Any]:
    """Return the posted batch's items, or raise its 400 as ``EventBatchInSerializer``.

    A well-formed body (only ``events``, a list within the limit) is taken as it is:
    every parsed JSON value is valid for the serializer's ``JSONField`` items, and its
    field machinery cost about a twentieth of storing the batch. Anything else gets the
    serializer's own answer.
    """
    if isinstance(data, dict) and len(data) == 1:
        items = data.get("events")
        if isinstance(items, list) and 0 < len(items) <= settings.EVENT_BATCH_MAX:
            return items
    batch = s.EventBatchInSerializer(data=data)
    batch.is_valid(raise_exception=True)
    return batch.validated_data["events"]


class EventBatchView(APIView):
    write_scope = Scope.EVENTS_WRITE

    @extend_schema(
        request=s.EventBatchInSerializer,
        responses={200: s.BatchOutSerializer},
        summary="Ingest up to 1,000 events; each item is answered on its own",
    )
    def post(self, request: Request) -> Response:
        valid: list[tuple[int, event_services.EventIn]] = []
        results: list[dict[str, Any]] = []
        zone = timezone.get_current_timezone()
        for index, item in enumerate(batch_items(request.data)):
            event, errors = parse_event(item, zone)
            if event is None:
                results.append({"index": index, "status": 400, "errors": errors})
            else:
                valid.append((index, event))
        outcomes = event_services.events_record(
            organization=organization_of(request), events=[event for _, event in valid]
        )
        details = outcome_details(outcomes)
        as_dict = s.EventsAsDicts(zone)
        for (index, _), outcome in zip(valid, outcomes, strict=True):
            stored = outcome.event
            results.append(
                {
                    "index": index,
                    "status": 201 if outcome.created else 200,
                    "event": {**as_dict(stored), **details[stored.pk]},
                }
            )
        results.sort(key=lambda result: result["index"])
        created = sum(1 for outcome in outcomes if outcome.created)
        return Response(
            {
                "created": created,
                "duplicates": len(outcomes) - created,
                "rejected": len(results) - len(outcomes),
                "results": results,
            }
        )


class CustomerViewSet(AuditedReadsMixin, OrganizationViewSet):
    """Customers, upserted by their external id. DELETE erases their personal data."""

    audit_subject = Subject.CUSTOMER
    audit_list_subject = Subject.CUSTOMERS
    model = Customer
    serializer_class = s.CustomerSerializer
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["email", "language", "opted_out"]

    @extend_schema(
        request=s.CustomerUpsertSerializer,
        responses={201: s.CustomerSerializer, 200: s.CustomerSerializer},
        summary="Create a customer, or update the one with this external id",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = s.CustomerUpsertSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        customer, created = customer_services.customer_upsert(
            organization=organization_of(request), customer=incoming.to_customer()
        )
        if incoming.validated_data["opted_out"] is not None:
            customer_services.customer_update(
                customer=customer, opted_out=incoming.validated_data["opted_out"]
            )
        return Response(
            s.CustomerSerializer(customer).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=s.CustomerBatchInSerializer,
        responses={200: s.CustomerBatchOutSerializer},
        summary="Create or update up to 1,000 customers by external id",
        description="Each item is what a single upsert takes, validated the same way. "
        "The batch is validated as a whole: an invalid item refuses it (400, the "
        "errors under 'customers' by item position) and nothing is stored. Items "
        "naming the same external id are folded into one customer, the later fields "
        "winning.",
    )
    @action(detail=False, methods=["post"], url_path="batch")
    def batch(self, request: Request) -> Response:
        incoming = s.CustomerBatchInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        items = incoming.validated_data["customers"]
        stored = customer_services.customers_batch_upsert(
            organization=organization_of(request),
            customers=[(s.customer_in(item), item["opted_out"]) for item in items],
        )
        results = [
            {
                "index": index,
                "status": 201 if created else 200,
                "customer": s.CustomerSerializer(customer).data,
            }
            for index, (customer, created) in enumerate(stored)
        ]
        created_count = sum(1 for _, created in stored if created)
        return Response(
            {
                "created": created_count,
                "updated": len(stored) - created_count,
                "results": results,
            }
        )

    @transaction.atomic
    def perform_destroy(self, instance: Customer) -> None:
        customer_services.customer_erase(customer=instance)
        audit_record(
            request=self.request,
            organization=organization_of(self.request),
            channel=Channel.API,
            action=Action.ERASED,
            subject=Subject.CUSTOMER,
            subject_id=instance.pk,
        )


class SegmentViewSet(OrganizationViewSet):
    model = Segment
    serializer_class = s.SegmentSerializer


class ProcessViewSet(OrganizationViewSet):
    model = Process
    serializer_class = s.ProcessSerializer


class JourneyViewSet(OrganizationViewSet):
    model = Journey
    serializer_class = s.JourneySerializer

    def get_queryset(self) -> QuerySet[Journey]:
        return super().get_queryset().prefetch_related("touchpoints")


class TouchpointViewSet(OrganizationViewSet):
    model = Touchpoint
    serializer_class = s.TouchpointSerializer
    filterset_fields = ["journey", "process", "channel"]

    def get_queryset(self) -> QuerySet[Touchpoint]:
        return super().get_queryset().prefetch_related("event_types")

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._save(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._save(serializer, touchpoint=serializer.instance)

    def _save(
        self, serializer: BaseSerializer, touchpoint: Touchpoint | None = None
    ) -> None:
        fields = dict(serializer.validated_data)
        event_types = fields.pop("event_types", None)
        serializer.instance = touchpoint_save(
            organization=organization_of(self.request),
            fields=fields,
            event_types=event_types,
            touchpoint=touchpoint,
        )
