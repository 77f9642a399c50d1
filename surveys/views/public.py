"""Shared helpers of the public (customer-facing) pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, TypedDict

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone, translation

from surveys.models import Invitation, Response
from surveys.models.invitations import token_digest

MAX_TOKEN_LENGTH = 64


class _Started(TypedDict):
    response_id: int | None


# An invitation with the pk of its response, if one was started (see invitation_for).
StartedInvitation: TypeAlias = "WithAnnotations[Invitation, _Started]"


def invitation_for(token: str) -> StartedInvitation | None:
    """Return the invitation a link token names, or None for an unknown or odd token.

    The invitation comes with what the answer page shows (organisation, survey,
    customer, event and touchpoint) and, as ``response_id``, its response if started.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    started = (
        Response.objects.filter(invitation=OuterRef("pk")).order_by().values("pk")[:1]
    )
    try:
        return (
            Invitation.objects.select_related(
                "organization", "survey", "customer", "event__touchpoint"
            )
            .annotate(response_id=Subquery(started))
            .get(token_hash=token_digest(token))
        )
    except Invitation.DoesNotExist:
        return None


def is_expired(invitation: Invitation) -> bool:
    return (
        invitation.state == Invitation.State.EXPIRED
        or invitation.expires_at <= timezone.now()
    )


def language_of(request: HttpRequest, invitation: Invitation | None) -> str:
    """Return the page language: ?lang=, the invitation's, else the browser's.

    A wrong or truncated link names no invitation; its page then speaks the language
    the customer's browser asks for (Accept-Language), not always English.
    """
    wanted = request.GET.get("lang", "")
    if wanted in {"fi", "sv", "en"}:
        return wanted
    if invitation is not None and invitation.language:
        return invitation.language
    return translation.get_language_from_request(request)
