"""Inside one organisation, each role and each API key scope does what cx/roles.py says.

The world (``tests/security/conftest.py``): Aurora Bank with one of everything, its owner
Aino, and three more members — a CX manager, an analyst and an executive.

Who tries: each of the four roles, logged in; an API key of each scope.

What they try, enumerated so that a new route is covered without editing this file
(a new admin model or staff page needs a line in the maps below, and the test says so):

- every admin URL of every ``ModelAdmin`` (changelist, add, change, delete, history,
  custom views) for Aurora's object of that model, GET and POST (A's own change form
  as its owner submits it, renamed), and every admin action on that object;
- every staff page (dashboard, panels, exports, feedback, follow-ups, maturity and its
  report) and every form post on them (notes, tags, starting and closing a case,
  requesting an assessment);
- every API operation of the OpenAPI schema, with a plausible body.

What should happen comes from ``cx.roles.ROLE_PERMISSIONS`` and the scopes' rules,
through the maps below (model → the permission to view it and to change it, action →
the permission it needs, staff page → its permission) — never from the code under test.
A role or key that may do it *succeeds*: the same answer the owner (or a ``manage``
key) gets, never a 401 or 403. One that may not is *refused*: a GET shows nothing (no
2xx), a write changes nothing (every row of the organisation and the row count of every
table, before and after); an API key gets 403 naming the scope it needs.
Every attempt runs in a savepoint that is rolled back, so that each starts from the
same world.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.urls import reverse

from cx.models import Membership, Role
from cx.services.organizations import member_add, staff_user_create
from tests.counts import ABUSE
from tests.security.conftest import Tenant
from tests.security.role_tries import report, run_role_matrix
from tests.security.roles import logged_in

pytestmark = pytest.mark.django_db

# --- The world ----------------------------------------------------------------------


@pytest.fixture
def aurora_staff(tenant, aurora, aino, api) -> tuple[Tenant, dict[Role, Any]]:  # type: ignore[no-untyped-def]
    world = tenant(aurora, aino, api, "aurora")
    members = {Role.OWNER: aino}
    for role, name in (
        (Role.CX_MANAGER, "bertil"),
        (Role.ANALYST, "anna"),
        (Role.EXECUTIVE, "eero"),
    ):
        user = staff_user_create(
            username=name, email=f"{name}@aurora.example", password=f"pw-{name}"
        )
        member_add(organization=aurora, user=user, role=role)
        members[role] = user
    return world, members


def test_each_role_and_key_scope_does_what_the_table_allows_and_nothing_more(
    aurora_staff, count_report
):
    world, members = aurora_staff

    outcomes, problems = run_role_matrix(world, members)

    through, wrong = report(outcomes)
    count_report.add(
        ABUSE,
        check="role matrix: 4 roles × admin URLs and staff pages, 4 key scopes × API",
        attempts=len(outcomes),
        got_through=len(through),
    )
    assert len(outcomes) > 1000
    assert Counter(o.attempt.surface for o in outcomes).keys() == {
        "admin",
        "page",
        "api",
    }
    assert not problems, problems[:20]
    assert not through
    assert not wrong


# --- The escalation of issue 12 -------------------------------------------------------


def test_an_analyst_cannot_make_themselves_owner(aurora_staff):
    world, members = aurora_staff
    analyst = members[Role.ANALYST]
    own = Membership.objects.get(user=analyst)
    client = logged_in(analyst)
    organization = world.organization
    change = reverse("admin:cx_membership_change", args=[own.pk])
    as_owner = {"user": analyst.pk, "organization": organization.pk, "role": "owner"}
    inline = {
        "name": organization.name,
        "slug": organization.slug,
        "timezone": organization.timezone,
        "default_language": organization.default_language,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": own.pk,
        "memberships-0-organization": organization.pk,
        "memberships-0-user": analyst.pk,
        "memberships-0-role": "owner",
    }

    attempts = [
        client.get(change),
        client.post(change, as_owner),
        client.post(reverse("admin:cx_membership_add"), as_owner),
        client.post(
            reverse("admin:cx_organization_change", args=[organization.pk]), inline
        ),
    ]

    assert [a.status_code for a in attempts] == [403, 403, 403, 403]
    assert list(Membership.objects.filter(user=analyst).values_list("role")) == [
        ("analyst",)
    ]
    assert client.get("/maturity/").status_code == 200  # the analyst reads it
    assert client.post("/maturity/assess/").status_code == 403
    report = reverse("maturity:report", args=[world.assessment.pk])
    assert client.get(report).status_code == 403
