"""What the insights app forgets when a customer is erased or their responses grow old.

Staff's internal notes on a response are free text about a person ("called Maija back
at maija@…"): their words are replaced, the note (who wrote it, when) stays. Tags are
the organisation's own labels and stay; deviation alerts and dashboard visits hold no
customer data (their addresses and users are staff).
"""

from __future__ import annotations

from django.db.models import QuerySet

from cx.models import Customer, Organization
from cx.services.privacy import REDACTED, admin_history_redact
from insights.models import ResponseNote
from surveys.models import Response


def customer_erase_notes(*, customer: Customer) -> None:
    """Replace the text of every internal note on the customer's responses."""
    _notes_redact(ResponseNote.objects.filter(response__customer=customer))


def notes_anonymise(
    *, organization: Organization, responses: QuerySet[Response]
) -> dict[str, int]:
    """Replace the text of the notes on ``responses``; return how many changed.

    A retention step (``surveys.services.retention``): one UPDATE, nothing on a second run.
    """
    notes = ResponseNote.objects.for_organization(organization).filter(
        response__in=responses
    )
    return {"notes_removed": _notes_redact(notes)}


def _notes_redact(notes: QuerySet[ResponseNote]) -> int:
    admin_history_redact(objects=notes)
    return notes.exclude(text=REDACTED).update(text=REDACTED)
