"""Memberships change only as the owner's rules allow, and every change is audited.

Personas in Aurora Bank (``conftest.py``): *Aino* owns it, *Bertil* is CX manager,
*Anna* analyst, *Eero* executive.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from cx.audit.models import AuditEntry
from cx.models import ApiKey, Customer, Membership, Role
from cx.services.memberships import MembershipRefused, membership_change_role
from cx.services.organizations import member_add
from tests.cx.conftest import member_added

ROLES = list(Role)


def _membership(user, organization) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=user, organization=organization)


# The escalation of issue 12 and every other way to change a membership.


def test_an_analyst_cannot_make_themselves_owner_in_the_admin(client, aurora, staff):
    anna = staff[Role.ANALYST]
    own = _membership(anna, aurora)
    client.force_login(anna)
    url = reverse("admin:cx_membership_change", args=[own.pk])

    opened = client.get(url)
    posted = client.post(
        url, {"organization": aurora.pk, "user": anna.pk, "role": Role.OWNER}
    )

    assert opened.status_code in (302, 403, 404)
    assert posted.status_code in (302, 403, 404)
    assert _membership(anna, aurora).role == Role.ANALYST
    assert client.post("/maturity/assess/").status_code == 403
    assert "Memberships" not in client.get(reverse("admin:index")).content.decode()


def test_the_analyst_cannot_add_a_membership_as_owner(client, aurora, other_org, staff):
    anna = staff[Role.ANALYST]
    client.force_login(anna)
    url = reverse("admin:cx_membership_add")

    for organization in (aurora, other_org):
        response = client.post(
            url, {"organization": organization.pk, "user": anna.pk, "role": "owner"}
        )
        assert response.status_code == 403

    assert list(Membership.objects.filter(user=anna).values_list("role")) == [
        ("analyst",)
    ]


def test_the_analyst_cannot_remove_or_edit_memberships_from_the_list(
    client, aurora, staff
):
    anna, aino = staff[Role.ANALYST], staff[Role.OWNER]
    client.force_login(anna)
    url = reverse("admin:cx_membership_changelist")
    pks = [_membership(anna, aurora).pk, _membership(aino, aurora).pk]

    for action in ("delete_selected", "remove_selected"):
        client.post(url, {"action": action, "_selected_action": pks, "post": "yes"})
    client.post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": pks[0],
            "form-0-role": "owner",
            "_save": "Save",
        },
    )

    assert Membership.objects.filter(pk__in=pks).count() == 2
    assert _membership(anna, aurora).role == Role.ANALYST


def test_an_owner_cannot_change_their_own_role(client, aurora, staff):
    aino = staff[Role.OWNER]
    member_add(organization=aurora, user=staff[Role.CX_MANAGER], role=Role.OWNER)
    own = _membership(aino, aurora)
    client.force_login(aino)

    response = client.post(
        reverse("admin:cx_membership_change", args=[own.pk]), {"role": "analyst"}
    )

    assert response.status_code == 200
    assert "Nobody changes their own role" in response.content.decode()
    assert _membership(aino, aurora).role == Role.OWNER


def test_an_owner_cannot_remove_their_own_membership(client, aurora, staff):
    aino = staff[Role.OWNER]
    member_add(organization=aurora, user=staff[Role.CX_MANAGER], role=Role.OWNER)
    own = _membership(aino, aurora)
    client.force_login(aino)

    deleted = client.post(
        reverse("admin:cx_membership_delete", args=[own.pk]), {"post": "yes"}
    )
    removed = client.post(
        reverse("admin:cx_membership_changelist"),
        {"action": "remove_selected", "_selected_action": [own.pk]},
        follow=True,
    )

    assert deleted.status_code == 302
    assert "Nobody changes their own role" in removed.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_the_last_owner_is_kept(client, aurora, staff, admin_user):
    own = _membership(staff[Role.OWNER], aurora)
    client.force_login(admin_user)

    demoted = client.post(
        reverse("admin:cx_membership_change", args=[own.pk]), {"role": "analyst"}
    )
    removed = client.post(
        reverse("admin:cx_membership_changelist"),
        {"action": "remove_selected", "_selected_action": [own.pk]},
        follow=True,
    )

    assert "keeps at least one owner" in demoted.content.decode()
    assert "keeps at least one owner" in removed.content.decode()
    assert _membership(staff[Role.OWNER], aurora).role == Role.OWNER


def test_removing_both_owners_at_once_removes_neither(
    client, aurora, staff, admin_user
):
    bertil = staff[Role.CX_MANAGER]
    member_add(organization=aurora, user=bertil, role=Role.OWNER)
    owners = Membership.objects.filter(organization=aurora, role=Role.OWNER)
    client.force_login(admin_user)

    client.post(
        reverse("admin:cx_membership_changelist"),
        {"action": "remove_selected", "_selected_action": [m.pk for m in owners]},
    )

    assert owners.count() == 2


def test_demoting_the_last_owner_is_refused_by_the_service(aurora, staff):
    with pytest.raises(MembershipRefused):
        membership_change_role(
            membership=_membership(staff[Role.OWNER], aurora), role="analyst", by=None
        )
    with pytest.raises(MembershipRefused):
        member_add(organization=aurora, user=staff[Role.OWNER], role=Role.ANALYST)

    assert _membership(staff[Role.OWNER], aurora).role == Role.OWNER


def test_an_owner_changes_a_colleagues_role_and_it_is_audited(client, aurora, staff):
    anna, aino = staff[Role.ANALYST], staff[Role.OWNER]
    client.force_login(aino)
    theirs = _membership(anna, aurora)
    newcomer = get_user_model().objects.create_user("uuno", password="pw")

    client.post(
        reverse("admin:cx_membership_change", args=[theirs.pk]), {"role": "cx_manager"}
    )
    client.post(
        reverse("admin:cx_membership_add"),
        {"organization": aurora.pk, "user": newcomer.pk, "role": "executive"},
    )
    added = _membership(newcomer, aurora)
    client.post(reverse("admin:cx_membership_delete", args=[added.pk]), {"post": "yes"})

    assert _membership(anna, aurora).role == Role.CX_MANAGER
    assert not Membership.objects.filter(user=newcomer).exists()
    entries = AuditEntry.objects.filter(subject="membership").order_by("pk")
    assert [(e.action, e.actor, e.detail) for e in entries] == [
        ("changed", "aino", {"user": anna.pk, "from": "analyst", "to": "cx_manager"}),
        ("created", "aino", {"user": newcomer.pk, "role": "executive"}),
        ("removed", "aino", {"user": newcomer.pk, "role": "executive"}),
    ]


def test_api_keys_issued_and_revoked_are_audited(client, aurora, staff, capsys):
    call_command("create_api_key", "--org", "aurora", "--name", "crm")
    key = ApiKey.objects.get(name="crm")
    client.force_login(staff[Role.OWNER])

    client.post(
        reverse("admin:cx_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )

    key.refresh_from_db()
    assert key.revoked_at is not None
    entries = AuditEntry.objects.filter(subject="api_key").order_by("pk")
    assert [(e.action, e.actor, e.channel) for e in entries] == [
        ("created", "manage.py", "command"),
        ("revoked", "aino", "admin"),
    ]


def test_a_cx_manager_cannot_revoke_keys_or_erase_customers(client, aurora, staff, api):
    customer = Customer.objects.create(organization=aurora, external_id="c", name="Cia")
    client.force_login(staff[Role.CX_MANAGER])

    client.post(
        reverse("admin:cx_apikey_changelist"),
        {"action": "revoke", "_selected_action": [api.api_key.pk]},
    )
    client.post(
        reverse("admin:cx_customer_changelist"),
        {"action": "erase", "_selected_action": [customer.pk]},
    )

    api.api_key.refresh_from_db()
    customer.refresh_from_db()
    assert api.api_key.revoked_at is None
    assert customer.name == "Cia"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_demotions_keep_one_owner():
    import threading

    from django.db import connection

    from cx.services.organizations import organization_create

    organization = organization_create(slug="race", name="Race Oy")
    first = member_added(organization, Role.OWNER, "first")
    second = member_added(organization, Role.OWNER, "second")
    memberships = {
        first: _membership(second, organization),
        second: _membership(first, organization),
    }
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(by) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            membership_change_role(membership=memberships[by], role="analyst", by=by)
            outcomes.append("done")
        except MembershipRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(user,)) for user in memberships]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["done", "refused"]
    assert Membership.objects.filter(role=Role.OWNER).count() == 1
