"""Helpers every app's erasure and retention code shares (GDPR art. 5(1)(e) and 17).

An app that forgets a person's data blanks its own columns; what it cannot reach alone
is Django's admin history, whose ``object_repr`` keeps ``str()`` of every object staff
changed in the admin (a customer's name, an invitation's address, a note's first words)
and whose ``change_message`` names inline objects the same way.
"""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Model, QuerySet, Value
from django.db.models.functions import Cast, Concat

# The prefix of an event id replaced by erasure or retention.
ERASED_EVENT_ID_PREFIX = "erased-"
# Stands for removed free text where a column must not be empty (a closed case's action,
# an internal note): the row and its counts stay, the words go.
REDACTED = "[removed]"


def events_renamed() -> Concat:
    """Return the new ``event_id`` of an anonymised event: ``erased-<pk>``, for an UPDATE.

    Integrators often build event ids from their customer ids ("chat-crm-4711-1"). The
    new id stays unique; a replay of the old event after it would be stored anew.
    """
    return Concat(
        Value(ERASED_EVENT_ID_PREFIX),
        Cast("pk", CharField()),
        output_field=CharField(),
    )


def admin_history_redact(*, objects: QuerySet[Model]) -> int:
    """Replace the admin history's picture of ``objects`` by their ids; return rows changed.

    One UPDATE whatever the number of objects: the ids are matched by a subquery.
    """
    content_type = ContentType.objects.get_for_model(objects.model)
    # LogEntry.object_id is text; compare it with the ids cast to text, in the database.
    ids = objects.order_by().annotate(id_text=Cast("pk", CharField())).values("id_text")
    neutral = Concat(Value("#"), "object_id", output_field=CharField())
    return (
        LogEntry.objects.filter(content_type=content_type, object_id__in=ids)
        .exclude(change_message="", object_repr=neutral)
        .update(object_repr=neutral, change_message="")
    )
