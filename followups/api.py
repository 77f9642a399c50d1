"""API: ``followups/``, the closed-loop queue for a CRM or a ticketing system.

List (filters: state, owner, overdue, touchpoint, journey, customer), read a case with
the answers as the customer gave them, assign it or add a note (PATCH), start it and
close it — through the same services and rules as the staff page, each read audited.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cx.api.fields import StrictSerializer
from cx.api.filters import IdFilter, OrganizationFilterBackend, YesNoFilter
from cx.api.permissions import organization_of
from cx.audit.api import AuditedReadsMixin
from cx.audit.models import Action, Channel, Subject
from cx.audit.services import audit_record
from followups import services
from followups.models import CaseActivity, FollowUp, FollowUpQuerySet, RootCause
from followups.rules import reason_text
from surveys import presentation


class FollowUpFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[("unresolved", "unresolved"), *FollowUp.State.choices],
        method="filter_state",
        help_text="A state, or 'unresolved' (open or in progress).",
    )
    owner = IdFilter(field_name="owner_id", help_text="The owner's user id.")
    overdue = YesNoFilter(
        method="filter_overdue", help_text="true: unresolved past their due time."
    )
    touchpoint = IdFilter(field_name="touchpoint_id")
    journey = IdFilter(field_name="journey_id")
    customer = django_filters.CharFilter(
        field_name="customer__external_id",
        max_length=200,
        help_text="The customer's external id.",
    )

    class Meta:
        model = FollowUp
        fields = ["state", "owner", "overdue", "touchpoint", "journey", "customer"]

    def filter_state(
        self, queryset: FollowUpQuerySet, name: str, value: str
    ) -> QuerySet[FollowUp]:
        if value == "unresolved":
            return queryset.unresolved()
        return queryset.filter(state=value)

    def filter_overdue(
        self, queryset: FollowUpQuerySet, name: str, value: bool | None
    ) -> QuerySet[FollowUp]:
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ShownAnswerSerializer(serializers.Serializer):
    key = serializers.CharField()
    type = serializers.CharField()
    question = serializers.CharField(help_text="As asked, in the response's language.")
    value = serializers.CharField(help_text='As read: "2 / 7", "Yes", or the text.')
    meaning = serializers.CharField(help_text='e.g. "difficult"; may be empty.')
    category = serializers.CharField(
        help_text="detractor, passive, promoter, low, neutral, high, or empty."
    )
    number = serializers.IntegerField(allow_null=True)


class ActivitySerializer(serializers.ModelSerializer):
    actor = PersonSerializer(allow_null=True, help_text="Null: the API or the system.")
    owner = PersonSerializer(allow_null=True)

    class Meta:
        model = CaseActivity
        fields = ["kind", "at", "actor", "owner", "text"]


class FollowUpLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    response = serializers.CharField()
    customer = serializers.CharField(allow_null=True)


class FollowUpSerializer(serializers.ModelSerializer):
    reason = serializers.SerializerMethodField()
    owner = PersonSerializer(allow_null=True)
    customer = serializers.SerializerMethodField()
    touchpoint = PlaceSerializer(allow_null=True)
    journey = PlaceSerializer(allow_null=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id", "state", "reason", "owner", "customer", "touchpoint", "journey",
            "response", "opened_at", "due_at", "started_at", "closed_at",
            "root_cause", "action_taken", "recovery_invitation", "recovered", "links",
        ]  # fmt: skip

    def get_reason(self, followup: FollowUp) -> str:
        return str(reason_text(followup.reason))

    @extend_schema_field(
        {
            "type": "string",
            "nullable": True,
            "description": "The customer's external id; null when anonymous.",
        }
    )
    def get_customer(self, followup: FollowUp) -> str | None:
        customer = followup.customer
        if customer is None or followup.response.is_anonymous:
            return None
        return customer.external_id

    @extend_schema_field(FollowUpLinksSerializer)
    def get_links(self, followup: FollowUp) -> dict[str, str | None]:
        customer = self.get_customer(followup)
        return {
            "self": reverse("followup-detail", args=[followup.pk]),
            "response": reverse("response-detail", args=[followup.response_id]),
            "customer": None
            if customer is None
            else reverse("customer-detail", args=[customer]),
        }


class FollowUpDetailSerializer(FollowUpSerializer):
    answers = serializers.SerializerMethodField()
    activities = ActivitySerializer(many=True)

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "answers", "activities"]

    @extend_schema_field(ShownAnswerSerializer(many=True))
    def get_answers(self, followup: FollowUp) -> list[dict[str, Any]]:
        response = followup.response
        shown = presentation.response_answers(
            response, response.answers.select_related("question")
        )
        # many=True makes a ListSerializer, whose data is a list; the stubs type the call
        # as the child serializer.
        return ShownAnswerSerializer(shown, many=True).data  # type: ignore[return-value]


class FollowUpUpdateSerializer(StrictSerializer):
    owner = serializers.IntegerField(
        required=False, min_value=1, help_text="Give the case to this colleague."
    )
    note = serializers.CharField(
        required=False, max_length=5000, help_text="Add an internal note."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give an owner, a note, or both.")
        return attrs


class FollowUpCloseSerializer(StrictSerializer):
    root_cause = serializers.ChoiceField(choices=RootCause.choices)
    action_taken = serializers.CharField(max_length=5000, help_text="What was done.")
    send_recovery_survey = serializers.BooleanField(
        default=False,
        help_text="Ask the customer again with the policy's recovery survey.",
    )


class FollowUpViewSet(
    AuditedReadsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's follow-up cases, unresolved first by due time."""

    audit_subject = Subject.FOLLOWUP
    audit_list_subject = Subject.FOLLOWUPS
    filter_backends = [OrganizationFilterBackend]
    filterset_class = FollowUpFilter
    lookup_value_regex = "[0-9]+"
    ordering = "-id"

    def get_queryset(self) -> QuerySet[FollowUp]:
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        cases = FollowUp.objects.for_organization(
            organization_of(self.request)
        ).select_related("owner", "customer", "touchpoint", "journey", "response")
        if self.action == "retrieve":
            cases = cases.prefetch_related("activities__actor", "activities__owner")
        return cases

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return FollowUpSerializer
        return FollowUpDetailSerializer

    def _answer(self, followup: FollowUp) -> Response:
        """Answer a change with the case as it now is (an audited read)."""
        followup = self.get_queryset().get(pk=followup.pk)
        audit_record(
            request=self.request,
            organization=organization_of(self.request),
            channel=Channel.API,
            action=Action.VIEWED,
            subject=Subject.FOLLOWUP,
            subject_id=followup.pk,
        )
        return Response(FollowUpDetailSerializer(followup).data)

    @extend_schema(
        request=FollowUpUpdateSerializer,
        responses={200: FollowUpDetailSerializer},
        summary="Assign the case to a colleague, add a note, or both",
        description="400 when the owner is no active member of the organisation or "
        "the case is closed, or when neither owner nor note is given.",
    )
    @transaction.atomic
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        followup = self.get_object()
        incoming = FollowUpUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if "owner" in data:
            services.followup_reassign(
                followup=followup, user=None, owner_id=data["owner"]
            )
        if "note" in data:
            services.followup_note_add(followup=followup, user=None, text=data["note"])
        return self._answer(followup)

    @extend_schema(
        request=None,
        responses={200: FollowUpDetailSerializer},
        summary="Start work on an open case (a case in progress or closed stays)",
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        followup = self.get_object()
        services.followup_start(followup=followup, user=None)
        return self._answer(followup)

    @extend_schema(
        request=FollowUpCloseSerializer,
        responses={200: FollowUpDetailSerializer},
        summary="Close the case with its root cause and the action taken",
        description="400 when the case is closed already, or when a recovery survey "
        "is asked for but the follow-up policy has none or the customer has no "
        "email address.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        followup = self.get_object()
        incoming = FollowUpCloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.followup_close(followup=followup, user=None, **incoming.validated_data)
        return self._answer(followup)
