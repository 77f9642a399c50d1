"""API: ``followup-policy/``, when a response opens a case and how fast it is due.

Read with ``read``; changed with ``manage`` (PUT and PATCH both change only the fields
given) through ``followups.services.followup_policy_set``, with the admin's checks;
each change is written to the audit log with the key as actor.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cx.api.fields import OrganizationScopedField, StrictModelSerializer
from cx.api.permissions import organization_of
from cx.audit.services import Action, Channel, Subject, audit_record
from followups import services
from followups.models import FollowUpPolicy
from surveys.models import Survey


class FollowUpPolicySerializer(StrictModelSerializer):
    nps_at_most = serializers.IntegerField(
        min_value=0, max_value=10, allow_null=True, required=False,
        help_text="A case opens at this NPS score or below; null: off.",
    )  # fmt: skip
    csat_at_most = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, required=False,
        help_text="A case opens at this CSAT score or below; null: off.",
    )  # fmt: skip
    ces_at_most = serializers.IntegerField(
        min_value=1, max_value=7, allow_null=True, required=False,
        help_text="A case opens at this CES score or below; null: off.",
    )  # fmt: skip
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=100),
        max_length=100,
        required=False,
        help_text='Words that open a case when a comment holds them ("cancel").',
    )
    sla_hours = serializers.IntegerField(min_value=1, max_value=32767, required=False)
    reminder_hours = serializers.IntegerField(
        min_value=0, max_value=32767, required=False
    )
    recovery_survey = OrganizationScopedField(
        queryset=Survey.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = FollowUpPolicy
        fields = [
            "active", "nps_at_most", "csat_at_most", "ces_at_most", "fcr_no",
            "keywords", "sla_hours", "reminder_hours", "recovery_survey",
        ]  # fmt: skip


class FollowUpPolicyView(APIView):
    """The organisation's follow-up policy (one per organisation)."""

    @extend_schema(
        responses={200: FollowUpPolicySerializer},
        summary="Read the follow-up policy",
    )
    def get(self, request: Request) -> Response:
        policy = services.followup_policy(organization=organization_of(request))
        return Response(FollowUpPolicySerializer(policy).data)

    @extend_schema(
        request=FollowUpPolicySerializer,
        responses={200: FollowUpPolicySerializer},
        summary="Change the follow-up policy (only the fields given)",
    )
    def put(self, request: Request) -> Response:
        return self._change(request)

    @extend_schema(
        request=FollowUpPolicySerializer,
        responses={200: FollowUpPolicySerializer},
        summary="Change the follow-up policy (only the fields given)",
    )
    def patch(self, request: Request) -> Response:
        return self._change(request)

    def _change(self, request: Request) -> Response:
        organization = organization_of(request)
        incoming = FollowUpPolicySerializer(
            data=request.data, partial=True, context={"organization": organization}
        )
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        with transaction.atomic():
            policy = services.followup_policy_set(
                organization=organization, fields=fields
            )
            # The detail is stored as JSON: the recovery survey is named by its id.
            detail = {
                name: value.pk if isinstance(value, Survey) else value
                for name, value in fields.items()
            }
            audit_record(
                request=request,
                organization=organization,
                channel=Channel.API,
                action=Action.CHANGED,
                subject=Subject.FOLLOWUP_POLICY,
                subject_id=policy.pk,
                detail=detail,
            )
        return Response(FollowUpPolicySerializer(policy).data)
