"""What the predictions app removes when a customer is erased."""

from __future__ import annotations

from cx.models import Customer
from predictions.models import CustomerRisk


def customer_erase_risks(*, customer: Customer) -> None:
    """Delete the customer's risks and their reasons (listed in CX_CUSTOMER_ERASERS)."""
    CustomerRisk.objects.filter(customer=customer).delete()
