"""Recovery invitations are made by the surveys app, on the follow-up app's request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cx.models import Customer
from surveys.models import Invitation
from surveys.services.recovery import RECOVERY_LINK_DAYS, recovery_invitation_create


@pytest.fixture
def maija(aurora) -> Customer:
    return Customer.objects.create(
        organization=aurora, external_id="c-1", email="maija@example.com", language="sv"
    )


def test_a_recovery_invitation_is_sent_after_commit_in_the_customers_language(
    aurora, chat_survey, maija, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = recovery_invitation_create(
            organization=aurora, survey=chat_survey, customer=maija
        )
        assert mailoutbox == []  # not before the commit

    invitation.refresh_from_db()
    assert invitation.origin == Invitation.Origin.RECOVERY
    assert invitation.language == "sv"
    assert invitation.state == Invitation.State.SENT
    assert [m.to for m in mailoutbox] == [["maija@example.com"]]
    expected_expiry = timezone.now() + timedelta(days=RECOVERY_LINK_DAYS)
    assert abs(invitation.expires_at - expected_expiry) < timedelta(minutes=1)


def test_a_recovery_invitation_never_crosses_organisations_or_lacks_an_address(
    aurora, other_org, chat_survey, maija
):
    stranger = Customer.objects.create(
        organization=other_org, external_id="c-1", email="x@example.com"
    )
    Customer.objects.filter(pk=maija.pk).update(email="")
    maija.refresh_from_db()

    with pytest.raises(ValueError):
        recovery_invitation_create(
            organization=aurora, survey=chat_survey, customer=stranger
        )
    with pytest.raises(ValueError):
        recovery_invitation_create(
            organization=aurora, survey=chat_survey, customer=maija
        )
    assert Invitation.objects.count() == 0
