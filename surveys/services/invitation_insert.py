"""Store invitations and learn which go to undeliverable addresses, in one statement.

Trigger matching refuses an invitation to an address that bounced or complained. On
PostgreSQL, when the other checks refused nothing that the address check would have
refused first (see ``surveys.services.triggers``), the invitations are inserted as if
every address were deliverable and the same ``INSERT`` returns, per row, whether its
address is undeliverable: one round trip instead of a lookup and an insert. The rare
rows it flags are removed again in the same transaction, so nothing outside ever sees
them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.db.models.sql import InsertQuery

from surveys.models import Invitation

# Evaluated per inserted row, against the statement's snapshot; the names are fixed.
UNDELIVERABLE = (
    "EXISTS (SELECT 1 FROM surveys_undeliverableaddress AS address "
    "WHERE address.organization_id = surveys_invitation.organization_id "
    "AND LOWER(address.email) = LOWER(surveys_invitation.email))"
)


def invitations_insert_checked(invitations: Sequence[Invitation]) -> set[int]:
    """Insert ``invitations`` as ``bulk_create`` would (setting their ids); return the
    ids of those whose address the organisation may not write to."""
    meta = Invitation._meta
    query = InsertQuery(Invitation)
    objs: list[Model] = [*invitations]
    query.insert_values(
        [field for field in meta.concrete_fields if field is not meta.pk], objs
    )
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    ((sql, params),) = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql}, {UNDELIVERABLE}", params)
        rows = cursor.fetchall()
    undeliverable = set()
    for invitation, (pk, refused) in zip(invitations, rows, strict=True):
        invitation.pk = pk
        invitation._state.adding = False
        invitation._state.db = DEFAULT_DB_ALIAS
        if refused:
            undeliverable.add(pk)
    return undeliverable
