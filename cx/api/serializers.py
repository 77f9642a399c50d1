"""Input and output shapes of the core API."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, cast
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cx import segmentation
from cx.api.event_input import PROPERTIES_MAX_KEYS
from cx.api.fields import (
    EmailOrBlankField,
    JSONObjectField,
    MemberField,
    OrganizationScopedField,
    StrictModelSerializer,
    StrictSerializer,
)
from cx.models import Customer, Event, Journey, Language, Process, Segment, Touchpoint
from cx.names import NAME_MAX_LENGTH, validate_name_translations
from cx.services.customers import CustomerIn
from cx.services.events import EventIn


class CustomerInSerializer(StrictSerializer):
    external_id = serializers.CharField(max_length=200)
    email = EmailOrBlankField(required=False, default="")
    name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True, default=""
    )
    attributes = JSONObjectField(required=False, default=dict)

    def to_customer(self) -> CustomerIn:
        return customer_in(self.validated_data)


def customer_in(validated: dict[str, Any]) -> CustomerIn:
    """Return the service input for a validated customer (``opted_out`` apart)."""
    return CustomerIn(**{k: v for k, v in validated.items() if k != "opted_out"})


class CustomerUpsertSerializer(CustomerInSerializer):
    opted_out = serializers.BooleanField(required=False, allow_null=True, default=None)


CUSTOMER_BATCH_MAX = 1000


class CustomerBatchInSerializer(StrictSerializer):
    # DRF passes max_length to the ListSerializer of many=True; the stubs lack it.
    customers = CustomerUpsertSerializer(  # type: ignore[call-arg]
        many=True, allow_empty=False, max_length=CUSTOMER_BATCH_MAX
    )


class EventInSerializer(StrictSerializer):
    event_id = serializers.CharField(max_length=200)
    type = serializers.CharField(max_length=200)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None
    )
    customer = CustomerInSerializer(required=False, allow_null=True, default=None)
    properties = JSONObjectField(
        max_keys=PROPERTIES_MAX_KEYS, required=False, default=dict
    )

    def to_event(self) -> EventIn:
        return event_from(self.validated_data)


def event_from(validated: dict[str, Any]) -> EventIn:
    """Return the service input for a validated event."""
    data = dict(validated)
    customer = data.pop("customer")
    return EventIn(**data, customer=CustomerIn(**customer) if customer else None)


class EventBatchInSerializer(StrictSerializer):
    events = serializers.ListField(
        child=serializers.JSONField(),
        allow_empty=False,
        max_length=settings.EVENT_BATCH_MAX,
    )


class CustomerRefSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    name = serializers.CharField()


class TouchpointRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    journey = serializers.CharField(source="journey.name")


class EventOutSerializer(serializers.ModelSerializer):
    customer = CustomerRefSerializer(allow_null=True)
    touchpoint = TouchpointRefSerializer(allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "event_id",
            "type",
            "occurred_at",
            "received_at",
            "customer",
            "touchpoint",
            "properties",
        ]


class SurveyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EventInvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.IntegerField(allow_null=True, help_text="The trigger rule.")
    survey = SurveyRefSerializer()
    state = serializers.CharField()
    due_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(
        choices=["email", "own"],
        help_text="email: the product sends it; own: the caller delivers the link.",
    )
    link = serializers.URLField(
        required=False,
        help_text="Own channel only, and only in the answer that created the "
        "invitation: the answer link to deliver. It is never shown again.",
    )


class EventSuppressionSerializer(serializers.Serializer):
    rule = serializers.IntegerField(help_text="The trigger rule that matched.")
    survey = SurveyRefSerializer()
    reason = serializers.CharField(
        help_text="Why nothing was sent: opted_out, no_email, undeliverable, "
        "contacted_recently, sampled_out, segment_filter, duplicate, rule_inactive, "
        "survey_closed or no_customer."
    )
    detail = serializers.CharField(
        help_text="e.g. \"contacted 0 day(s) ago by 'Chat'\"."
    )


class EventWithDetailsSerializer(EventOutSerializer):
    """The event as the API answers it: what each matching trigger rule decided."""

    invitations = EventInvitationSerializer(
        many=True,
        read_only=True,
        help_text="The survey invitations this event scheduled, one per rule.",
    )
    suppressions = EventSuppressionSerializer(
        many=True,
        read_only=True,
        help_text="The rules that matched but sent nothing, each with its reason.",
    )

    class Meta(EventOutSerializer.Meta):
        fields = [*EventOutSerializer.Meta.fields, "invitations", "suppressions"]


def event_as_dict(event: Event, zone: tzinfo | None = None) -> dict[str, Any]:
    """Return what ``EventOutSerializer`` returns, without its per-object field set-up.

    The batch endpoint answers a thousand events per request; building a DRF serializer
    per event costs more than storing it. A test holds the two to the same output.
    """
    return EventsAsDicts(zone)(event)


class EventsAsDicts:
    """``event_as_dict`` for the events of one answer, sharing what repeats.

    A batch's events share a few touchpoints and, when stored together, one
    received-at instant: each touchpoint and each instant is written once.
    """

    def __init__(self, zone: tzinfo | None = None) -> None:
        self.zone = zone or timezone.get_current_timezone()
        self._touchpoints: dict[int, dict[str, Any]] = {}
        self._moments: dict[datetime, str] = {}

    def __call__(self, event: Event) -> dict[str, Any]:
        customer = event.customer
        return {
            "id": event.pk,
            "event_id": event.event_id,
            "type": event.type,
            "occurred_at": self._iso(event.occurred_at),
            "received_at": self._iso(event.received_at),
            "customer": None
            if customer is None
            else {"external_id": customer.external_id, "name": customer.name},
            "touchpoint": self._touchpoint(event),
            "properties": event.properties,
        }

    def _touchpoint(self, event: Event) -> dict[str, Any] | None:
        if event.touchpoint_id is None:
            return None
        shown = self._touchpoints.get(event.touchpoint_id)
        if shown is None:
            touchpoint = cast(Touchpoint, event.touchpoint)  # it has an id
            shown = {
                "id": touchpoint.pk,
                "name": touchpoint.name,
                "journey": touchpoint.journey.name,
            }
            self._touchpoints[event.touchpoint_id] = shown
        return shown

    def _iso(self, moment: datetime) -> str:
        shown = self._moments.get(moment)
        if shown is None:
            shown = self._moments[moment] = _iso(moment, self.zone)
        return shown


def _iso(moment: datetime, zone: tzinfo) -> str:
    """Return what ``serializers.DateTimeField`` shows (ISO 8601 in the current zone)."""
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class BatchItemSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.IntegerField(
        help_text="201 stored, 200 already known, 400 rejected"
    )
    event = EventWithDetailsSerializer(required=False)
    # Shadows Serializer.errors: this serializer only documents a response body.
    errors = serializers.DictField(required=False)  # type: ignore[assignment]


class BatchOutSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = BatchItemSerializer(many=True)


class CustomerLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    responses = serializers.CharField(help_text="The customer's responses.")
    invitations = serializers.CharField(help_text="The customer's invitations.")
    suppressions = serializers.CharField(help_text="Invitations not sent, and why.")
    followups = serializers.CharField(help_text="The customer's follow-up cases.")


class CustomerSerializer(StrictModelSerializer):
    attributes = JSONObjectField(required=False, default=dict)
    email = EmailOrBlankField(required=False)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "external_id",
            "email",
            "name",
            "language",
            "attributes",
            "opted_out",
            "created_at",
            "updated_at",
            "links",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness is the upsert's business, not a validation error.
        validators: list[Any] = []
        extra_kwargs: dict[str, dict[str, Any]] = {"external_id": {"validators": []}}

    @extend_schema_field(CustomerLinksSerializer)
    def get_links(self, customer: Customer) -> dict[str, str]:
        query = "?" + urlencode({"customer": customer.external_id})
        return {
            # Built, not reversed: an external id may hold any character, "/" too.
            "self": reverse("customer-list")
            + quote(customer.external_id, safe="")
            + "/",
            **{
                name: reverse(f"{route}-list") + query
                for name, route in (
                    ("responses", "response"),
                    ("invitations", "invitation"),
                    ("suppressions", "suppression"),
                    ("followups", "followup"),
                )
            },
        }


def name_translations_field() -> serializers.DictField:
    """Return the ``name_translations`` field of a named object (cx/names.py)."""
    return serializers.DictField(
        child=serializers.CharField(max_length=NAME_MAX_LENGTH, allow_blank=True),
        required=False,
        validators=[validate_name_translations],
        help_text='The name per language, e.g. {"fi": "Asuntolaina", "sv": "Bolån"}; '
        "pages, emails and reports in a language left out show `name`.",
    )


class SegmentSerializer(StrictModelSerializer):
    name_translations = name_translations_field()
    rule = serializers.JSONField(
        help_text="An AND/OR tree of conditions on customer attributes, e.g. "
        '{"all": [{"attribute": "tier", "operator": "eq", "value": "gold"}]}.'
    )
    customer_count = serializers.SerializerMethodField()

    class Meta:
        model = Segment
        fields = [
            "id",
            "key",
            "name",
            "name_translations",
            "description",
            "rule",
            "customer_count",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def validate_rule(self, rule: object) -> object:
        from django.core.exceptions import ValidationError

        try:
            segmentation.validate_rule(rule)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return rule

    def get_customer_count(self, segment: Segment) -> int:
        return segment.customers().count()


class ProcessSerializer(StrictModelSerializer):
    owner = MemberField(required=False, allow_null=True)
    name_translations = name_translations_field()

    class Meta:
        model = Process
        fields = [
            "id",
            "name",
            "name_translations",
            "description",
            "owner",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class EventTypesField(serializers.ListField):
    """Event type names in and out; stored as TouchpointEventType rows."""

    def to_representation(self, data: Any) -> list[str]:
        return sorted(event_type.event_type for event_type in data.all())


def owner_email_field() -> serializers.CharField:
    """Return the read-only ``owner_email`` of an object with an owner."""
    return serializers.CharField(
        source="owner.email",
        read_only=True,
        # No default: DRF skips a read-only field's default in a partial update, so a
        # PATCH answer would lose the field; without one a missing owner reads as null.
        allow_null=True,
        help_text="The owner's email address; null without an owner.",
    )


class TouchpointSerializer(StrictModelSerializer):
    journey = OrganizationScopedField(queryset=Journey.objects.all())
    name_translations = name_translations_field()
    process = OrganizationScopedField(
        queryset=Process.objects.all(), required=False, allow_null=True
    )
    owner = MemberField(required=False, allow_null=True)
    owner_email = owner_email_field()
    event_types = EventTypesField(
        child=serializers.RegexField(r"^[\w.:\-]+$", max_length=200),
        required=False,
        max_length=100,
        help_text="The event types that identify this touchpoint.",
    )

    class Meta:
        model = Touchpoint
        fields = [
            "id",
            "journey",
            "position",
            "name",
            "name_translations",
            "channel",
            "process",
            "owner",
            "owner_email",
            "event_types",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class JourneyTouchpointSerializer(serializers.ModelSerializer):
    name_translations = serializers.DictField(
        child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Touchpoint
        fields = ["id", "position", "name", "name_translations", "channel", "process"]


class JourneySerializer(StrictModelSerializer):
    owner = MemberField(required=False, allow_null=True)
    owner_email = owner_email_field()
    name_translations = name_translations_field()
    touchpoints = JourneyTouchpointSerializer(many=True, read_only=True)

    class Meta:
        model = Journey
        fields = [
            "id", "name", "name_translations", "description", "owner",
            "owner_email", "touchpoints", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]


class CustomerBatchItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in 'customers'.")
    status = serializers.IntegerField(help_text="201 created, 200 updated")
    customer = CustomerSerializer()


class CustomerBatchOutSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    results = CustomerBatchItemSerializer(many=True)
