"""Erasure of a customer's personal data held by the surveys app (GDPR art. 17).

Called from ``cx.services.customers.customer_erase`` through ``CX_CUSTOMER_ERASERS``.
Scores stay (aggregates must not change); what identifies or was written by the person
goes: invitation addresses, free-text answers, suppression details.
"""

from __future__ import annotations

from cx.models import Customer
from surveys.models import Answer, Invitation, Response, Suppression


def customer_erase_survey_data(*, customer: Customer) -> None:
    """Blank the customer's addresses and free text in invitations, answers, suppressions."""
    Invitation.objects.filter(customer=customer).update(email="", last_error="")
    Answer.objects.filter(response__customer=customer).exclude(text="").update(text="")
    Suppression.objects.filter(customer=customer).update(detail="")
    Response.objects.filter(customer=customer).update(is_anonymous=True)
