"""Writes of the organisation's contact policy and of its surveys' public links."""

from __future__ import annotations

from django.db import transaction

from cx.models import Organization
from surveys.models import ContactPolicy, Survey
from surveys.models.surveys import new_public_token


def contact_policy(*, organization: Organization) -> ContactPolicy:
    """Return the organisation's contact policy, created with the defaults if none."""
    policy, _created = ContactPolicy.objects.get_or_create(organization=organization)
    return policy


@transaction.atomic
def contact_policy_set(
    *, organization: Organization, min_days_between_invitations: int
) -> ContactPolicy:
    """Set the days between any two invitations to one customer (0: no limit)."""
    policy = contact_policy(organization=organization)
    policy.min_days_between_invitations = min_days_between_invitations
    policy.full_clean()
    policy.save(update_fields=["min_days_between_invitations"])
    return policy


@transaction.atomic
def survey_public_link_open(*, survey: Survey) -> tuple[Survey, bool]:
    """Open ``survey`` to anyone with its public link; return it and whether the link
    is new (a survey has one link: an open one stays as it is)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.public_token:
        return survey, False
    survey.public_token = new_public_token()
    survey.save(update_fields=["public_token", "updated_at"])
    return survey, True


def survey_public_link_close(*, survey: Survey) -> None:
    """Close ``survey``'s public link: the link answers 404 from now on."""
    Survey.objects.filter(pk=survey.pk).update(public_token=None)
