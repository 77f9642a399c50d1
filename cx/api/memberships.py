"""API: ``memberships/``, who belongs to the organisation in which role (owner scope).

The same rules as the staff pages, through the same services: an organisation keeps at
least one owner, nobody is added twice, and a key adds only whom an owner could add in
the admin — a colleague, a person in no organisation yet, or a new address (a staff
account without a password is made for it) — never another organisation's staff or a
superuser. Every change is written to the audit log with the key as the actor.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cx.api.authentication import ApiClient
from cx.api.fields import StrictSerializer
from cx.api.filters import OrganizationFilterBackend
from cx.api.permissions import organization_of
from cx.audit.models import Channel
from cx.models import Membership, Organization, Role
from cx.services.memberships import (
    MembershipRefused,
    membership_add,
    membership_change_role,
    membership_remove,
)


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "name", "role", "language", "created_at"]


class MembershipInSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipRoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


def member_to_add(*, organization: Organization, email: str) -> User:
    """Return the person ``email`` names, making a staff account for a new address.

    Refused as an owner would be in the admin: another organisation's staff and
    superusers are not offered there, so they are not here either.
    """
    users = get_user_model().objects.filter(email__iexact=email)
    found = list(users[:2])
    if len(found) > 1:
        raise ValidationError({"email": [_("More than one account has this address.")]})
    if not found:
        user = get_user_model().objects.create_user(
            username=email, email=email, is_staff=True
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return user
    user = found[0]
    memberships = Membership.objects.filter(user=user)
    if getattr(user, "is_superuser", False) or (
        memberships.exists()
        and not memberships.filter(organization=organization).exists()
    ):
        raise ValidationError(
            {"email": [_("This address belongs to someone you cannot add.")]}
        )
    return user


def refused(refusal: MembershipRefused) -> ValidationError:
    """Return the 400 of a membership change the rules refuse."""
    return ValidationError({"non_field_errors": refusal.messages})


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's staff and their roles. Every method needs the owner scope."""

    owner_only = True
    serializer_class = MembershipSerializer
    filter_backends = [OrganizationFilterBackend]
    filterset_fields = ["role"]
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return (
            Membership.objects.for_organization(organization_of(self.request))
            .select_related("user")
            .order_by("pk")
        )

    def _key(self) -> Any:
        client = self.request.user
        return client.key if isinstance(client, ApiClient) else None

    @extend_schema(
        request=MembershipInSerializer,
        responses={201: MembershipSerializer},
        summary="Add a person by email with a role",
        description="A new address gets a staff account without a password. 400 when "
        "the person is a member already, or belongs to another organisation.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = MembershipInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        organization = organization_of(request)
        with transaction.atomic():
            user = member_to_add(
                organization=organization, email=incoming.validated_data["email"]
            )
            try:
                membership = membership_add(
                    organization=organization,
                    user=user,
                    role=incoming.validated_data["role"],
                    by=None,
                    channel=Channel.API,
                    api_key=self._key(),
                )
            except MembershipRefused as refusal:
                raise refused(refusal) from None
        return Response(
            MembershipSerializer(membership).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=MembershipRoleSerializer,
        responses={200: MembershipSerializer},
        summary="Change a member's role",
        description="400 when it would leave the organisation without an owner.",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        incoming = MembershipRoleSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            membership = membership_change_role(
                membership=membership,
                role=incoming.validated_data["role"],
                by=None,
                channel=Channel.API,
                api_key=self._key(),
            )
        except MembershipRefused as refusal:
            raise refused(refusal) from None
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        summary="Remove a member",
        description="400 when it would leave the organisation without an owner.",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        try:
            membership_remove(
                membership=membership,
                by=None,
                channel=Channel.API,
                api_key=self._key(),
            )
        except MembershipRefused as refusal:
            raise refused(refusal) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
