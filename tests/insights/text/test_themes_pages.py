"""Where the themes show: the themes page, the feedback list, the API, the alerts."""

from __future__ import annotations

import random
import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cx.models import Role
from cx.services.organizations import member_add, staff_user_create
from insights.text import services
from insights.text.alerts import theme_alerts_send, week_start
from insights.text.models import ResponseTheme, Theme, ThemeAlert
from surveys.models import Answer
from tests.insights.text.conftest import store_comments
from tests.insights.text.corpus import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def bertil(aurora):  # type: ignore[no-untyped-def]
    user = staff_user_create(
        username="bertil", email="bertil@aurora.example", password="pw-bertil"
    )
    member_add(organization=aurora, user=user, role=Role.CX_MANAGER)
    return user


@pytest.fixture
def trained(aurora, commented, mortgage):  # type: ignore[no-untyped-def]
    touchpoints = list(mortgage.touchpoints.order_by("position"))
    commented(600, end=timezone.now(), touchpoints=touchpoints)
    return services.text_model_train(organization=aurora)


def _crash(aurora) -> Theme:  # type: ignore[no-untyped-def]
    return next(
        theme
        for theme in Theme.objects.filter(organization=aurora, active=True)
        if {"crash", "kaatua"} & set(theme.words[:3])
    )


def test_the_manager_sees_ranks_and_edits_themes(
    client, bertil, aurora, trained, mortgage
):
    client.force_login(bertil)
    page = client.get("/dashboard/themes/", {"journey": mortgage.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Held-out accuracy" in html and "What drives Mortgage" in html
    crash = _crash(aurora)
    assert crash.label in html
    renamed = client.post(
        f"/dashboard/themes/{crash.pk}/", {"action": "rename", "label": "Form crashes"}
    )
    assert renamed.status_code == 302
    crash.refresh_from_db()
    assert crash.label == "Form crashes" and crash.label_edited
    nameless = client.post(f"/dashboard/themes/{crash.pk}/", {"action": "rename"})
    assert (
        nameless.status_code == 400
        and "Give the theme a name" in nameless.content.decode()
    )
    unknown = client.post(f"/dashboard/themes/{crash.pk}/", {"action": "explode"})
    assert unknown.status_code == 400
    other = (
        Theme.objects.filter(organization=aurora, active=True)
        .exclude(pk=crash.pk)
        .first()
    )
    merged = client.post(
        f"/dashboard/themes/{other.pk}/", {"action": "merge", "into": str(crash.pk)}
    )
    assert merged.status_code == 302
    assert not ResponseTheme.objects.filter(theme=other).exists()
    added = client.post(
        "/dashboard/themes/rules/", {"label": "Loans", "keywords": "loan, laina"}
    )
    assert added.status_code == 302
    assert Theme.objects.get(label="Loans").tagged.exists()


def test_the_feedback_list_filters_by_theme_and_sentiment(
    client, bertil, aurora, trained
):
    client.force_login(bertil)
    crash = _crash(aurora)
    listed = client.get("/feedback/", {"theme": crash.pk})
    html = listed.content.decode()
    assert listed.status_code == 200
    assert f"{crash.tagged.count()} responses" in html
    assert html.count('class="theme-chip"') >= 1
    negative = client.get("/feedback/", {"sentiment": "negative"})
    assert negative.status_code == 200 and "Negative" in negative.content.decode()
    assert (
        client.get("/feedback/", {"theme": "x", "sentiment": "<b>"}).status_code == 200
    )


def test_the_api_lists_themes_with_impact_and_responses_with_themes(
    api, aurora, trained, mortgage
):
    crash = _crash(aurora)
    themes = api.get("/api/v1/themes/").json()
    found = {theme["id"]: theme for theme in themes["results"]}
    assert found[crash.pk]["comments"] == crash.tagged.count()
    assert found[crash.pk]["impact"]["change"] > 0  # crashes cost NPS points
    response_id = crash.tagged.first().response_id
    response = api.get(f"/api/v1/responses/{response_id}/").json()
    assert {"id": crash.pk, "label": crash.label} in response["themes"]
    assert response["sentiment"] in {"negative", "mixed"}
    # The list takes the scope its schema documents (it refused it as unknown once).
    scoped = api.get("/api/v1/themes/", {"journey": mortgage.pk, "segment": ""})
    assert scoped.status_code == 200
    in_journey = {theme["id"]: theme for theme in scoped.json()["results"]}
    assert in_journey[crash.pk]["comments"] == crash.tagged.count()  # all on Mortgage
    bad = api.get("/api/v1/themes/", {"journey": "abc"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"journey": ["A whole number id."]}


def test_a_rising_theme_is_alerted_once_to_the_touchpoint_owner(
    aurora, aino, comment_survey, mortgage
):
    chat = mortgage.touchpoints.get(name="Advisor chat")
    chat.owner = aino
    chat.save()
    now = timezone.now()
    monday = datetime.combine(week_start(aurora, now), time.min, aurora.tzinfo)
    # Eight weeks in which 1 % of the comments mention a crash, then 4 % this week.
    calm = [c for c in corpus(3000, seed=2) if c.theme != "crash"]
    crash = [c for c in corpus(3000, seed=3) if c.theme == "crash"]
    before = [*calm[:2376], *crash[:24]]
    random.Random(4).shuffle(before)
    store_comments(comment_survey, before, end=monday, days=56, seed=4)
    week = [*calm[2376:2664], *crash[24:36]]
    random.Random(5).shuffle(week)
    end = now - timedelta(minutes=1)
    store_comments(
        comment_survey, week, end=end, days=(end - monday).days, touchpoints=[chat]
    )
    theme = services.theme_add_rule(
        organization=aurora, label="App crashes", keywords="crash kaatua"
    )
    sent = theme_alerts_send(organization=aurora)
    assert [(a.theme, a.recipient, a.touchpoint) for a in sent] == [
        (theme, aino.email, chat)
    ]
    # Aino has chosen no language, so she reads Aurora's own: Finnish.
    assert mail.outbox[0].subject == 'Kommentit aiheesta "App crashes" lisääntyvät'
    assert theme_alerts_send(organization=aurora) == []  # once a week
    assert ThemeAlert.objects.count() == 1


def test_a_themes_examples_are_different_comments(client, bertil, aurora, trained):
    crash = _crash(aurora)
    # Its two heaviest comments say the same thing in the same words.
    for tagged in ResponseTheme.objects.filter(theme=crash).order_by(
        "-weight", "-response_id"
    )[:2]:
        Answer.objects.filter(response_id=tagged.response_id).exclude(text="").update(
            text="The form crashed again."
        )
    client.force_login(bertil)
    page = client.get("/dashboard/themes/")
    quotes = re.findall(
        r'<blockquote class="example">([^<]*)</blockquote>', page.content.decode()
    )

    assert page.status_code == 200
    assert quotes.count("The form crashed again.") == 1
