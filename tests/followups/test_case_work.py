"""Working a case: answers as asked, reassign, notes, history, the queue, staff language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cx.models import Membership, Role
from cx.services.organizations import member_add, staff_user_create
from followups import services
from followups.emails import owner_message
from followups.models import CaseActivity, FollowUp


def announce_to_owner(case: FollowUp) -> None:
    """Send the new-case email to whoever owns the case now."""
    message = owner_message(FollowUp.objects.get(pk=case.pk))
    assert message is not None
    message.send()


@pytest.fixture
def bertil(aurora):
    """A CX manager of Aurora, who reads his email in English."""
    user = staff_user_create(
        username="bertil", email="bertil@aurora.example", password="pw-bertil"
    )
    member_add(organization=aurora, user=user, role=Role.CX_MANAGER)
    Membership.objects.filter(user=user).update(language="en")
    return user


def test_the_case_page_shows_the_answers_as_asked_and_links_the_response(
    client, aino, answered
):
    response = answered(1, csat="2", resolved="0")
    case = FollowUp.objects.get()
    client.force_login(aino)

    page = client.get(f"/followups/{case.pk}/").content.decode()

    assert "Kuinka tyytyväinen olit?" in page  # asked in Finnish: shown so
    assert "2 / 5 · dissatisfied" in page
    assert "cat-low" in page
    assert f"/feedback/{response.pk}/" in page
    assert "Maija Meikäläinen" in page  # the customer, with the timeline
    assert "The customer&#x27;s timeline" in page or "timeline" in page


def test_reassign_note_start_close_and_recovery_are_one_history(
    client, aino, bertil, answered, django_capture_on_commit_callbacks
):
    answered(1, csat="2", resolved="1")
    case = FollowUp.objects.get()
    client.force_login(aino)
    url = f"/followups/{case.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(url, {"action": "reassign", "owner": str(bertil.pk)})
    client.post(url, {"action": "note", "note": "Called, no answer."})
    client.post(url, {"action": "start"})
    client.post(
        url,
        {"action": "close", "root_cause": "system", "action_taken": "Fixed it."},
    )

    assert moved.status_code == 302
    case.refresh_from_db()
    assert case.owner == bertil and case.state == FollowUp.State.CLOSED
    history = list(
        CaseActivity.objects.filter(followup=case).values_list(
            "kind", "actor__username", "owner__username", "text"
        )
    )
    assert history == [
        ("opened", None, None, ""),
        ("assigned", "aino", "bertil", ""),
        ("noted", "aino", None, "Called, no answer."),
        ("started", "aino", "bertil", ""),
        ("closed", "aino", None, "Fixed it."),
    ]
    handed = mail.outbox[-1]
    assert handed.to == ["bertil@aurora.example"]
    assert handed.subject == "A follow-up is now yours: CSAT 2"  # in his English
    page = client.get(url).content.decode()
    assert "Called, no answer." in page and "Reassign" not in page


def test_a_case_goes_only_to_a_colleague_of_the_organisation(
    client, aino, olli, answered
):
    answered(1, csat="2", resolved="1")
    case = FollowUp.objects.get()
    client.force_login(aino)

    refused = client.post(
        f"/followups/{case.pk}/", {"action": "reassign", "owner": str(olli.pk)}
    )
    odd = client.post(f"/followups/{case.pk}/", {"action": "reassign", "owner": "x"})
    empty_note = client.post(f"/followups/{case.pk}/", {"action": "note", "note": " "})

    assert refused.status_code == 400 and odd.status_code == 400
    assert empty_note.status_code == 400
    assert FollowUp.objects.get().owner_id != olli.pk
    assert not CaseActivity.objects.filter(kind__in=["assigned", "noted"]).exists()


def test_the_queue_names_the_customer_quotes_them_and_filters(client, aino, answered):
    answered(1, csat="1", resolved="0")
    answered(2, csat="2", resolved="1")
    late, on_time = FollowUp.objects.order_by("pk")
    FollowUp.objects.filter(pk=late.pk).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(aino)

    everything = client.get("/followups/").content.decode()
    overdue = client.get("/followups/", {"overdue": "1"}).content.decode()
    elsewhere = client.get("/followups/", {"touchpoint": "999999"}).content.decode()
    journey = client.get(
        "/followups/", {"journey": str(late.journey_id or 0)}
    ).content.decode()
    newest = client.get("/followups/", {"sort": "newest"}).content.decode()
    bad = client.get("/followups/", {"sort": "drop table", "journey": "x"})

    assert "Maija Meikäläinen" in everything
    assert "CSAT 1 / 5 · dissatisfied" in everything
    assert "CSAT 1; not resolved on first contact" in everything  # why it opened
    assert f"/followups/{late.pk}/" in overdue
    assert f"/followups/{on_time.pk}/" not in overdue
    assert f"/followups/{late.pk}/" not in elsewhere
    assert f"/followups/{late.pk}/" in journey
    assert newest.index(f"/followups/{on_time.pk}/") < newest.index(
        f"/followups/{late.pk}/"
    )
    assert bad.status_code == 200


def test_the_owners_alert_is_in_the_owners_language_every_part_of_it(
    aurora, aino, bertil, answered, mailoutbox
):
    answered(1, csat="2", resolved="0")
    case = FollowUp.objects.get()
    assert case.reason == "CSAT 2; not resolved on first contact"  # stored as data

    FollowUp.objects.filter(pk=case.pk).update(owner=aino)  # Finnish, by the org
    announce_to_owner(case)
    finnish = mailoutbox[-1]
    FollowUp.objects.filter(pk=case.pk).update(owner=bertil)  # English, his own
    announce_to_owner(case)
    english = mailoutbox[-1]

    assert "Syy: CSAT 2; ei ratkennut ensimmäisellä yhteydenotolla" in finnish.body
    assert "not resolved" not in finnish.body + finnish.subject
    assert "Kuinka tyytyväinen olit?" in finnish.body
    assert "2 / 5 · tyytymätön" in finnish.body
    assert "Why: CSAT 2; not resolved on first contact" in english.body
    assert "2 / 5 · dissatisfied" in english.body
    assert "Syy" not in english.body


def test_a_note_needs_words_and_joins_the_history(aurora, aino, answered):
    answered(1, csat="2", resolved="1")
    case = FollowUp.objects.get()
    services.followup_note_add(followup=case, user=aino, text="Apologised.")

    with pytest.raises(ValidationError):
        services.followup_note_add(followup=case, user=aino, text="  ")

    assert list(case.activities.values_list("kind", flat=True)) == ["opened", "noted"]


def test_choosing_a_language_in_the_header_makes_it_the_language_of_her_emails(
    client, aurora, other_org, aino, answered, mailoutbox
):
    member_add(organization=other_org, user=aino, role=Role.ANALYST)
    answered(1, csat="2", resolved="0")
    case = FollowUp.objects.get()
    FollowUp.objects.filter(pk=case.pk).update(owner=aino)
    client.force_login(aino)

    switched = client.post("/i18n/setlang/", {"language": "sv", "next": "/followups/"})
    announce_to_owner(case)
    swedish = mailoutbox[-1]

    assert switched.status_code == 302 and switched["Location"] == "/followups/"
    assert "Kuinka tyytyväinen olit?" in swedish.body  # asked in Finnish: quoted so
    assert "2 / 5 · missnöjd" in swedish.body
    assert "Orsak" in swedish.body and "Syy" not in swedish.body
    # A person's choice: every organisation of hers writes to her in it.
    assert set(
        Membership.objects.filter(user=aino).values_list("language", flat=True)
    ) == {"sv"}


def test_a_language_switch_saves_nothing_for_a_visitor_or_a_language_not_offered(
    client, aino
):
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})  # not logged in
    client.force_login(aino)
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})

    assert Membership.objects.get(user=aino).language == ""
