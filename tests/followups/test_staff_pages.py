"""The follow-up queue and a case's page in the staff UI, scoped to the organisation."""

from __future__ import annotations

from cx.models import Role
from cx.services.organizations import member_add, staff_user_create
from followups.models import FollowUp


def test_the_owner_sees_the_queue_and_closes_a_case(client, aino, answered):
    answered(1, csat="2", resolved="1")
    case = FollowUp.objects.get()
    client.force_login(aino)

    queue = client.get("/followups/").content.decode()
    assert "CSAT 2" in queue and f"/followups/{case.pk}/" in queue

    refused = client.post(
        f"/followups/{case.pk}/", {"root_cause": "", "action_taken": ""}
    )
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.content.decode()

    done = client.post(
        f"/followups/{case.pk}/",
        {"root_cause": "system", "action_taken": "Fixed the <b>form</b> bug."},
    )
    assert done.status_code == 302
    assert FollowUp.objects.get().state == FollowUp.State.CLOSED
    assert "CSAT 2" not in client.get("/followups/").content.decode()
    page = client.get(f"/followups/{case.pk}/").content.decode()
    assert "Fixed the &lt;b&gt;form&lt;/b&gt; bug." in page


def test_an_analyst_reads_but_cannot_close(client, aurora, answered):
    answered(1, csat="2", resolved="1")
    case = FollowUp.objects.get()
    analyst = staff_user_create(username="ana", email="ana@a.example", password="x")
    member_add(organization=aurora, user=analyst, role=Role.ANALYST)
    client.force_login(analyst)

    assert client.get(f"/followups/{case.pk}/").status_code == 200
    closing = client.post(
        f"/followups/{case.pk}/", {"root_cause": "system", "action_taken": "x"}
    )
    assert closing.status_code == 403
    assert FollowUp.objects.get().state == FollowUp.State.OPEN


def test_another_organisation_sees_nothing(client, olli, answered):
    answered(1, csat="2", resolved="1")
    case = FollowUp.objects.get()
    client.force_login(olli)

    assert "CSAT 2" not in client.get("/followups/").content.decode()
    assert client.get(f"/followups/{case.pk}/").status_code == 404
    assert client.get("/followups/").status_code == 200
    assert client.logout() is None
    assert client.get("/followups/").status_code == 302  # to the login


def test_the_queues_figures_agree_with_their_counts_in_swedish(client, aino, answered):
    answered(1, csat="1", resolved="1")  # one open case, none closed
    client.force_login(aino)
    client.cookies["django_language"] = "sv"

    page = client.get("/followups/").content.decode()

    assert '<span class="figure">1</span> olöst</li>' in page  # not "1 olösta"
    assert '<span class="figure">0</span> stängda</li>' in page
