"""API: ``contact-policy/`` (limits against survey fatigue) and ``public-links/``.

Reads need ``read``, changes ``manage``; both go through ``surveys.services.policies``
with the model's own validation, as the admin's forms do, and each change is written
to the audit log with the key as actor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cx.api.fields import OrganizationScopedField, StrictSerializer
from cx.api.filters import OrganizationFilterBackend
from cx.api.permissions import organization_of
from cx.audit.services import Action, Channel, Subject, audit_record
from surveys.models import ContactPolicy, Survey
from surveys.services import policies


class ContactPolicySerializer(StrictSerializer):
    min_days_between_invitations = serializers.IntegerField(
        min_value=0,
        max_value=365,
        help_text="Days between any two invitations to one customer; 0: no limit.",
    )


class ContactPolicyView(APIView):
    """The organisation's contact policy (one per organisation)."""

    @extend_schema(
        responses={200: ContactPolicySerializer}, summary="Read the contact policy"
    )
    def get(self, request: Request) -> Response:
        policy = (
            ContactPolicy.objects.filter(organization=organization_of(request)).first()
            or ContactPolicy()
        )
        return Response(ContactPolicySerializer(policy).data)

    @extend_schema(
        request=ContactPolicySerializer,
        responses={200: ContactPolicySerializer},
        summary="Set the contact policy",
    )
    def put(self, request: Request) -> Response:
        organization = organization_of(request)
        incoming = ContactPolicySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            policy = policies.contact_policy_set(
                organization=organization, **incoming.validated_data
            )
            audit_record(
                request=request,
                organization=organization,
                channel=Channel.API,
                action=Action.CHANGED,
                subject=Subject.CONTACT_POLICY,
                subject_id=policy.pk,
                detail=dict(incoming.validated_data),
            )
        return Response(ContactPolicySerializer(policy).data)


class PublicLinkSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(help_text="The survey's id.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["id", "name", "status", "url"]

    def get_url(self, survey: Survey) -> str:
        return f"{settings.SITE_URL}/p/{survey.public_token}/"


class PublicLinkInSerializer(StrictSerializer):
    survey = OrganizationScopedField(queryset=Survey.objects.all())


class PublicLinkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Surveys open to anyone with their public link ``/p/<token>/`` (anonymous)."""

    serializer_class = PublicLinkSerializer
    filter_backends = [OrganizationFilterBackend]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Survey]:
        if getattr(self, "swagger_fake_view", False):
            return Survey.objects.none()
        return (
            Survey.objects.for_organization(organization_of(self.request))
            .filter(public_token__isnull=False)
            .order_by("pk")
        )

    @extend_schema(
        request=PublicLinkInSerializer,
        responses={
            201: PublicLinkSerializer,
            200: PublicLinkSerializer,
        },
        summary="Open a survey's public link (200: it was open already)",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = PublicLinkInSerializer(
            data=request.data, context={"organization": organization_of(request)}
        )
        incoming.is_valid(raise_exception=True)
        with transaction.atomic():
            survey, created = policies.survey_public_link_open(
                survey=incoming.validated_data["survey"]
            )
            if created:
                _audit_public_link(request, survey, Action.CREATED)
        return Response(
            PublicLinkSerializer(survey).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(summary="Close a survey's public link (it answers 404 from now on)")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        survey = self.get_object()
        with transaction.atomic():
            policies.survey_public_link_close(survey=survey)
            _audit_public_link(request, survey, Action.REMOVED)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _audit_public_link(request: Request, survey: Survey, action: Action) -> None:
    """Record that the caller opened (created) or closed (removed) a public link."""
    audit_record(
        request=request,
        organization=survey.organization,
        channel=Channel.API,
        action=action,
        subject=Subject.PUBLIC_LINK,
        subject_id=survey.pk,
    )
