"""Training themes and sentiment on an organisation's comments; the manager's edits."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from insights.text import services
from insights.text.models import CommentAnalysis, ResponseTheme, TextModel, Theme
from tests.insights.text.corpus import corpus


def _theme_by_planted(responses, comments) -> dict[str, int]:
    """Return planted theme → the theme id holding most of its comments."""
    planted = {r.pk: c.theme for r, c in zip(responses, comments, strict=True)}
    holders: dict[str, Counter] = {}
    for response_id, theme_id in ResponseTheme.objects.values_list(
        "response_id", "theme_id"
    ):
        if planted[response_id]:
            holders.setdefault(planted[response_id], Counter())[theme_id] += 1
    return {name: counts.most_common(1)[0][0] for name, counts in holders.items()}


@pytest.mark.django_db
def test_renamed_and_merged_themes_survive_retraining(aurora, commented):
    responses = commented(1200, end=timezone.now())
    comments = corpus(1200)
    first = services.text_model_train(organization=aurora)
    assert first.state == TextModel.State.READY and first.topics >= 8
    holders = _theme_by_planted(responses, comments)
    crash = Theme.objects.get(pk=holders["crash"])
    services.theme_rename(theme=crash, label="Application form crashes")
    # The crash comments in the other language form a topic of their own: merge it.
    crash_topics = [
        theme
        for theme in Theme.objects.filter(active=True).exclude(pk=crash.pk)
        if {"crash", "kaatua"} & set(theme.words[:3])
    ]
    assert crash_topics, [t.words[:3] for t in Theme.objects.all()]
    services.theme_merge(theme=crash_topics[0], into=crash)

    again = services.text_model_train(organization=aurora, seed=1)
    assert again.pk != first.pk and again.state == TextModel.State.READY
    crash.refresh_from_db()
    assert crash.label == "Application form crashes" and crash.active
    # Both languages' crash comments land on the renamed theme after retraining.
    planted = {r.pk: c.theme for r, c in zip(responses, comments, strict=True)}
    crash_ids = {pk for pk, theme in planted.items() if theme == "crash"}
    tagged = set(
        ResponseTheme.objects.filter(theme=crash).values_list("response_id", flat=True)
    )
    assert len(tagged & crash_ids) >= 0.8 * len(crash_ids)
    assert not ResponseTheme.objects.filter(theme=crash_topics[0]).exists()


@pytest.mark.django_db
def test_a_split_takes_its_keyword_comments_from_the_parent(aurora, commented):
    commented(800, end=timezone.now())
    services.text_model_train(organization=aurora)
    waiting = next(
        theme
        for theme in Theme.objects.filter(active=True)
        if "offer" in theme.words[:3]
    )
    before = waiting.tagged.count()
    mortgage = services.theme_add_rule(
        organization=aurora,
        label="Mortgage offer",
        keywords="mortgage",
        split_from=waiting,
    )
    moved = mortgage.tagged.count()
    assert 0 < moved < before
    assert waiting.tagged.count() == before - moved
    services.text_model_train(organization=aurora)
    assert mortgage.tagged.count() == moved  # the rule survives retraining


@pytest.mark.django_db
def test_sentiment_is_unknown_below_the_gate(aurora, commented):
    commented(60, end=timezone.now())
    text_model = services.text_model_train(organization=aurora)
    assert not text_model.sentiment_published
    assert text_model.sentiment_reason == "too_few"
    assert set(CommentAnalysis.objects.values_list("sentiment", flat=True)) == {
        "unknown"
    }


@pytest.mark.django_db
def test_a_new_comment_is_tagged_at_completion(
    aurora, commented, comment_survey, django_capture_on_commit_callbacks
):
    from surveys.models import Answer, Response
    from surveys.services.responses import response_complete

    commented(800, end=timezone.now())
    services.text_model_train(organization=aurora)
    response = Response.objects.create(
        organization=aurora,
        survey=comment_survey,
        language="en",
        started_at=timezone.now(),
    )
    questions = {q.key: q for q in comment_survey.questions.all()}
    Answer.objects.create(response=response, question=questions["nps"], number=10)
    Answer.objects.create(
        response=response,
        question=questions["comment"],
        text="the app crashes when I press send, the application form crashed",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert response_complete(response=response)
    analysis = CommentAnalysis.objects.get(response=response)
    assert analysis.state == CommentAnalysis.State.DONE
    labels = set(
        response.comment_themes.values_list("theme__words", flat=True).first() or []
    )
    assert {"crash", "form", "application", "app"} & labels
    # A 10 with a crash: the comment disagrees with its score.
    assert analysis.sentiment == "negative" and analysis.disagrees
    # Run again (a redelivered task): nothing changes.
    assert not services.comment_analyse(response_id=response.pk)
