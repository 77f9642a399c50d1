"""Erasure of a customer's personal data held by the surveys app (GDPR art. 17).

Called from ``cx.services.customers.customer_erase`` through ``CX_CUSTOMER_ERASERS``.
Scores stay (aggregates must not change); what identifies or was written by the person
goes: invitation addresses and delivery errors (which quote the address), free-text
answers, suppression details, the address on the undeliverable list (unless another
customer still uses it), and the admin history's picture of those rows (an
invitation's ``str()`` is its address).
"""

from __future__ import annotations

import re

from django.db.models import Q

from cx.models import Customer
from cx.services.privacy import admin_history_redact
from surveys.models import (
    Answer,
    Invitation,
    Response,
    Suppression,
    UndeliverableAddress,
)

# Good enough to keep addresses out of log lines; not a validator.
ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+\.[^\s<>\"'(),;:@]+")


def addresses_masked(text: object) -> str:
    """Return ``text`` with every email address in it replaced by ``<address>``.

    For log lines that quote a mail server's answer ("550 <maija@example.com>: no such
    user"): logs name invitations by id, never the person they went to.
    """
    return ADDRESS.sub("<address>", str(text))


def customer_erase_survey_data(*, customer: Customer) -> None:
    """Blank the customer's addresses and free text in invitations, answers, suppressions."""
    invitations = Invitation.objects.filter(customer=customer)
    addresses = {customer.email, *invitations.values_list("email", flat=True)} - {""}
    others = Customer.objects.for_organization(customer.organization_id).exclude(
        pk=customer.pk
    )
    # An address another customer still uses stays listed: it protects them too.
    shared = {
        email.casefold()
        for email in others.filter(_any_address(addresses)).values_list(
            "email", flat=True
        )
    }
    addresses = {address for address in addresses if address.casefold() not in shared}
    if addresses:
        undeliverable = UndeliverableAddress.objects.for_organization(
            customer.organization_id
        ).filter(_any_address(addresses))
        admin_history_redact(objects=undeliverable)
        # The customer stays opted out: the list is not needed to protect them.
        undeliverable.delete()
    responses = Response.objects.filter(customer=customer)
    answers = Answer.objects.filter(response__customer=customer)
    suppressions = Suppression.objects.filter(customer=customer)
    for rows in (invitations, responses, answers, suppressions):
        admin_history_redact(objects=rows)
    invitations.update(email="", last_error="")
    answers.exclude(text="").update(text="")
    suppressions.update(detail="")
    responses.update(is_anonymous=True)


def _any_address(addresses: set[str]) -> Q:
    match = Q(pk__in=[])
    for address in addresses:
        match |= Q(email__iexact=address)
    return match
