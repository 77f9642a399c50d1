"""The funnel's numbers and the suppressions by reason open exactly the rows they count.

Aurora's CX manager reads "Sent 2" or "Customer opted out 1" on the dashboard and
clicks it: the page it opens (events and invitations, or the feedback list for the
answers) must list that many rows, for the period and the journey asked.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from cx.models import Journey, Role, Touchpoint
from cx.services.organizations import member_add, staff_user_create
from followups.models import FollowUp
from surveys.models import Response, Suppression
from tests.followups.conftest import answered  # noqa: F401
from tests.insights.test_funnel import _event, _invite, rule  # noqa: F401
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401

STEP_LINK = re.compile(
    r"<a href=\"([^\"]+)\" aria-label=\"([^\":]+): ([\d\s,.\u00a0\u202f]+)\. "
)
REASON_LINK = re.compile(
    r"<th scope=\"row\">([^<]+)</th><td class=\"number\"><a href=\"([^\"]+)\">([^<]+)</a>"
)
RATE_LINK = re.compile(
    r"<a href=\"([^\"]+)\">([\d\s]+) (answered|invitations sent)</a>"
)


@pytest.fixture
def cohort(aurora, rule, chat, pages):
    """This week's chats at every step, last quarter's chat, a chat of another journey."""
    now = timezone.now()
    recent = now - timedelta(days=2)
    events = [_event(aurora, chat, n, occurred_at=recent) for n in range(7)]
    _invite(rule, events[0], opened=True, response_state=Response.State.COMPLETED)
    _invite(rule, events[1], opened=True, response_state=Response.State.COMPLETED)
    _invite(rule, events[2], opened=True, response_state=Response.State.STARTED)
    _invite(rule, events[3], opened=False)
    _invite(rule, events[4], sent=False)
    for event, reason in [
        (events[5], Suppression.Reason.OPTED_OUT),
        (events[6], Suppression.Reason.CONTACTED_RECENTLY),
    ]:
        Suppression.objects.create(
            organization=aurora, rule=rule, event=event, reason=reason
        )
    _event(aurora, pages, 50, occurred_at=recent)
    # Outside a 30-day period, and (below) outside the mortgage journey.
    old = _event(aurora, chat, 60, occurred_at=now - timedelta(days=45))
    _invite(rule, old, opened=True, response_state=Response.State.COMPLETED)
    cards = Journey.objects.create(organization=aurora, name="Cards")
    desk = Touchpoint.objects.create(
        organization=aurora, journey=cards, position=1, name="Card desk"
    )
    other = _event(aurora, desk, 70, occurred_at=recent)
    _invite(rule, other, opened=True, response_state=Response.State.COMPLETED)
    Suppression.objects.create(
        organization=aurora,
        rule=rule,
        event=_event(aurora, desk, 71, occurred_at=recent),
        reason=Suppression.Reason.OPTED_OUT,
    )


def _count(client, href: str) -> int:  # type: ignore[no-untyped-def]
    response = client.get(unescape(href))
    assert response.status_code == 200, href
    return response.context["page"].paginator.count


def _number(shown: str) -> int:
    return int(re.sub(r"\D", "", shown))


@pytest.mark.parametrize(
    ("journey", "expected"),
    [
        (False, {"Events": 10, "Invited": 6, "Sent": 5, "Opened": 4, "Answered": 3}),
        (True, {"Events": 8, "Invited": 5, "Sent": 4, "Opened": 3, "Answered": 2}),
    ],
)
def test_each_funnel_step_opens_exactly_the_rows_it_counts(
    client, aino, cohort, mortgage, journey, expected
):
    client.force_login(aino)
    params = {"period": 30, **({"journey": mortgage.pk} if journey else {})}
    page = client.get("/dashboard/", params).content.decode()

    steps = {label: (href, _number(n)) for href, label, n in STEP_LINK.findall(page)}

    assert {label: n for label, (_href, n) in steps.items()} == expected
    for label, (href, n) in steps.items():
        assert _count(client, href) == n, label
    answered_href = steps["Answered"][0]
    assert unescape(answered_href).startswith("/feedback/?")  # the answers themselves


def test_each_reason_not_invited_opens_exactly_those_events(
    client, aino, cohort, mortgage
):
    client.force_login(aino)
    for params, expected in (
        ({"period": 30}, {"Customer opted out": 2, "Contacted recently": 1}),
        ({"period": 30, "journey": mortgage.pk}, {"Customer opted out": 1,
                                                  "Contacted recently": 1}),
    ):  # fmt: skip
        page = client.get("/dashboard/", params).content.decode()
        reasons = {
            unescape(reason): (href, _number(n))
            for reason, href, n in REASON_LINK.findall(page)
        }

        assert {reason: n for reason, (_h, n) in reasons.items()} == expected
        for reason, (href, n) in reasons.items():
            assert _count(client, href) == n, reason


def test_the_response_rates_two_numbers_open_their_rows(client, aino, cohort):
    client.force_login(aino)
    page = client.get("/dashboard/", {"period": 30}).content.decode()

    links = {what: (href, _number(n)) for href, n, what in RATE_LINK.findall(page)}

    assert links["answered"][1] == 3 and links["invitations sent"][1] == 5
    for href, n in links.values():
        assert _count(client, href) == n


def test_the_list_shows_who_was_invited_and_why_others_were_not(client, aino, cohort):
    client.force_login(aino)

    invited = client.get("/feedback/delivery/", {"kind": "invitations"})
    suppressed = client.get(
        "/feedback/delivery/", {"kind": "suppressions", "reason": "opted_out"}
    ).content.decode()

    assert invited.status_code == 200
    assert "Advisor chat" in invited.content.decode()
    assert invited.context["page"].paginator.count == 7  # every period
    assert "Customer opted out" in suppressed and "Chat ended" in suppressed


def test_the_list_is_for_those_who_read_feedback_of_their_own_organisation(
    client, aurora, olli, cohort
):
    executive = staff_user_create(
        username="eero", email="eero@aurora.example", password="pw-eero"
    )
    member_add(organization=aurora, user=executive, role=Role.EXECUTIVE)

    client.force_login(olli)
    theirs = client.get("/feedback/delivery/", {"kind": "events"})
    client.force_login(executive)
    refused = client.get("/feedback/delivery/", {"kind": "events"})

    assert theirs.status_code == 200 and theirs.context["page"].paginator.count == 0
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "everything"},
        {"since": "yesterday", "until": "31.13.2026"},
        {"journey": "9" * 30, "touchpoint": "x"},
        {"step": "<script>", "reason": "whim", "page": "-1"},
    ],
)
def test_filters_that_do_not_parse_never_break_the_list(client, aino, cohort, params):
    client.force_login(aino)

    assert client.get("/feedback/delivery/", params).status_code == 200


def test_the_loops_counts_open_exactly_the_cases_they_count(
    client,
    aino,
    answered,
):
    for n in range(1, 5):
        answered(n, csat="1", resolved="1")
    cases = list(FollowUp.objects.order_by("pk"))
    FollowUp.objects.filter(pk=cases[0].pk).update(
        opened_at=timezone.now() - timedelta(days=45)  # before the period
    )
    for case, recovered in ((cases[1], True), (cases[2], False)):
        FollowUp.objects.filter(pk=case.pk).update(
            state=FollowUp.State.CLOSED,
            closed_at=timezone.now(),
            root_cause="process",
            action_taken="Called back.",
            recovery_invitation=case.response.invitation,  # stands in for a survey
            recovered=recovered,
        )
    client.force_login(aino)

    page = client.get("/dashboard/", {"period": 30}).content.decode()
    steps = {
        label: (href, int(n))
        for href, n, label in re.findall(
            r"<a href=\"([^\"]+)\"><strong>(\d+)</strong> ([a-z ]+)</a>", page
        )
    }

    assert {label: n for label, (_h, n) in steps.items()} == {
        "opened": 3, "closed": 2, "recovery surveys sent": 2, "recovered": 1,
    }  # fmt: skip
    for label, (href, n) in steps.items():
        listed = client.get(unescape(href))
        assert len(listed.context["rows"]) == n, label


@pytest.mark.parametrize(
    ("language", "one_sent", "many_sent"),
    [
        ("en", "1 invitation sent", "5 invitations sent"),
        ("sv", "1 inbjudan som skickades", "5 inbjudningar som skickades"),
        ("fi", "lähetetystä 1 kutsusta", "lähetetystä 5 kutsusta"),
    ],
)
def test_the_response_rate_sentence_agrees_with_its_count(
    client, aino, cohort, language, one_sent, many_sent
):
    """One invitation is "1 invitation sent", never "1 invitations sent"."""
    client.force_login(aino)
    client.cookies["django_language"] = language
    cards = Journey.objects.get(name="Cards")

    one = client.get("/dashboard/", {"period": 30, "journey": cards.pk})
    many = client.get("/dashboard/", {"period": 30})

    assert f">{one_sent}</a>" in one.content.decode()
    assert f">{many_sent}</a>" in many.content.decode()


def test_the_loops_and_queues_counts_agree_with_their_labels_in_swedish(
    client, aino, answered
):
    answered(1, csat="1", resolved="1")  # one case, open and unresolved
    client.force_login(aino)
    client.cookies["django_language"] = "sv"

    page = client.get("/dashboard/", {"period": 30}).content.decode()

    assert "<strong>1</strong> öppnat</a>" in page
    assert "<strong>0</strong> stängda</a>" in page
    assert "<strong>0</strong> återhämtningsenkäter skickade</a>" in page
    assert "<strong>1</strong> olöst," in page
