"""Organisation B, or nobody, can neither read nor change anything of organisation A.

The world (``tests/security/conftest.py``): A is Aurora Bank (owner Aino), B is Other Oy
(owner Olli); each has one of everything, built through the product's own services.

Who tries: B's API key, B's staff user (logged in), A's revoked API key, no credentials.

What they try, enumerated so that a new route is covered without editing this file:

- every API operation of the OpenAPI schema (drf-spectacular's generator), checked
  against the URL resolver so that no API route is left out of the schema; path
  parameters name A's objects, and list filters that take an id are given A's ids;
- every other route of the URL resolver (staff pages, report download, exports, email
  provider webhooks, …) with A's objects as parameters, plain and with ``?org=<A>``;
- every admin URL of every ``ModelAdmin`` in ``admin.site._registry`` (changelist,
  search, add, change, delete, history, custom views) for A's object of that model,
  every admin action on it, the admin's autocomplete for every relation, and the
  pages ``view_on_site`` would lead to.

GET, POST, PUT, PATCH and DELETE (the admin's views act on POST only and answer the
others as a GET, so there GET and POST), each write with a plausible body: A's own
representation (API) or A's own change form as its owner submits it (admin), renamed so
that a copy is recognisable but keeping A's ids in every reference. B also edits its
*own* objects with one reference swapped for A's (a rule on A's survey, a touchpoint in
A's process, a process owned by A's staff member). Not probed: the admin's login,
logout and password pages, which concern only the caller's own account.

A success is any of: a 2xx on a URL that names one of A's objects; a 2xx or 3xx whose
body or headers show A's strings (names, keys, secrets, tokens, report links), not
counting what the request itself sent; an aggregate filtered by A's ids that answers
otherwise than for an id that does not exist; any change to A's rows; any row of B's
that points at A's objects or staff. The matrix asserts 0 successes (and no 5xx).

Public links: ``test_isolation_links.py``.
"""

from __future__ import annotations

import pytest

from tests.counts import ABUSE
from tests.security.isolation import identities, report, run_matrix
from tests.security.isolation_targets import admin_targets, api_targets, page_targets

pytestmark = pytest.mark.django_db


def test_nothing_of_a_is_reachable_by_b_or_by_nobody(world, count_report):
    a, b = world
    targets = api_targets(a, b) + page_targets(a) + admin_targets(a, b)
    clients = identities(a, b)

    attempts, problems = run_matrix(a, b, clients, targets)

    successes = report("isolation matrix", attempts)
    count_report.add(
        ABUSE,
        check="B, a revoked key, nobody: every API route, staff page, admin URL",
        attempts=len(attempts),
        got_through=len(successes),
    )
    assert len(attempts) > 1000
    assert not problems, problems[:20]
    assert len(successes) == 0
