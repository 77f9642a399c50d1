"""Writes of comment understanding: train, tag, and the manager's edits of themes."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cx.models import Organization
from insights.text import discovery, sentiment
from insights.text.comments import Comment, comments_of
from insights.text.language import LANGUAGES, lemma, lemmas, without_negations
from insights.text.models import CommentAnalysis, ResponseTheme, TextModel, Theme
from insights.text.vocabulary import concept

# A retrained topic is a known theme when their telling words are this similar.
SAME_THEME = 0.5


@dataclass
class Trained:
    """What a text model holds: topics, sentiment, and each topic's theme id."""

    topics: discovery.TopicModel | None
    sentiment: sentiment.SentimentModel
    themes: dict[int, int] = field(default_factory=dict)


_LOADED: dict[object, Trained] = {}


def trained_of(text_model: TextModel) -> Trained:
    """Return the unpickled model of ``text_model`` (kept in memory per process)."""
    if text_model.key not in _LOADED:
        if len(_LOADED) > 8:
            _LOADED.clear()
        # The payload was pickled by text_model_train from objects this code made.
        assert text_model.payload is not None  # a trained model always has its payload
        _LOADED[text_model.key] = pickle.loads(bytes(text_model.payload))  # noqa: S301
    return _LOADED[text_model.key]


def latest_model(organization: Organization | int) -> TextModel | None:
    """Return the organisation's newest ready text model, if any."""
    return (
        TextModel.objects.for_organization(organization)
        .filter(state=TextModel.State.READY)
        .order_by("-started_at", "-pk")
        .first()
    )


def _final(theme: Theme, by_id: dict[int, Theme]) -> Theme:
    """Follow merges to the theme that now holds ``theme``'s comments."""
    seen = set()
    while theme.merged_into_id and theme.merged_into_id not in seen:
        seen.add(theme.pk)
        theme = by_id[theme.merged_into_id]
    return theme


def _themes_for_topics(
    organization: Organization, topics: list[discovery.Topic]
) -> dict[int, int]:
    """Match new topics to known themes (keeping edits), create the rest."""
    known = {theme.pk: theme for theme in Theme.objects.for_organization(organization)}
    discovered = {
        pk: theme.signature
        for pk, theme in known.items()
        if theme.kind == Theme.Kind.DISCOVERED and theme.signature
    }
    matched = discovery.match(
        [topic.signature for topic in topics], discovered, at_least=SAME_THEME
    )
    mapping: dict[int, int] = {}
    kept: set[int] = set()
    for index, topic in enumerate(topics):
        theme_id = matched.get(index)
        if theme_id is None:
            theme = Theme.objects.create(
                organization=organization,
                kind=Theme.Kind.DISCOVERED,
                label=topic.label[:80],
                words=topic.words[:10],
                signature=topic.signature,
            )
            known[theme.pk] = theme
        else:
            theme = known[theme_id]
            theme.words = topic.words[:10]
            theme.signature = topic.signature
            if not theme.label_edited:
                theme.label = topic.label[:80]
            theme.active = theme.merged_into_id is None
            theme.save(update_fields=["words", "signature", "label", "active"])
        kept.add(theme.pk)
        mapping[index] = _final(theme, known).pk
    Theme.objects.for_organization(organization).filter(
        kind=Theme.Kind.DISCOVERED, merged_into__isnull=True
    ).exclude(pk__in=kept).update(active=False)
    return mapping


def keywords_of(raw: str) -> list[str]:
    """Return the lemmas of a manager's keywords (each in every language).

    A keyword of the seed vocabulary also matches its shared word, as comments do.
    """
    words = {
        form
        for word in raw.replace(",", " ").lower().split()
        for form in (
            word,
            *(lemma(word, language) for language in LANGUAGES),
            *(concept(lemma(word, language), language, word) for language in LANGUAGES),
        )
    }
    return sorted(word for word in words if len(word) > 1)[:40]


def _apply_rules(theme_ids: set[int], words: set[str], rules: list[Theme]) -> set[int]:
    """Add keyword-rule themes; a split takes its comments from the theme it split."""
    result = set(theme_ids)
    for rule in rules:
        if not words.intersection(rule.keywords):
            continue
        if rule.split_from_id is None:
            result.add(rule.pk)
        elif rule.split_from_id in theme_ids:
            result.discard(rule.split_from_id)
            result.add(rule.pk)
    return result


@dataclass(frozen=True)
class Tagged:
    themes: dict[int, float]
    probability: float | None
    sentiment: str
    disagrees: bool


@dataclass(frozen=True)
class Edits:
    """The manager's edits that tagging applies: keyword rules and merges."""

    rules: list[Theme]
    merged: dict[int, int]  # theme id → the theme it was merged into (finally)


def edits_of(organization: Organization | int) -> Edits:
    themes = {theme.pk: theme for theme in Theme.objects.for_organization(organization)}
    return Edits(
        rules=[
            theme
            for theme in themes.values()
            if theme.kind == Theme.Kind.RULE and theme.active
        ],
        merged={
            pk: _final(theme, themes).pk
            for pk, theme in themes.items()
            if theme.merged_into_id
        },
    )


def tag_comments(
    trained: Trained, comments: list[Comment], edits: Edits
) -> list[Tagged]:
    """Return each comment's themes and sentiment under ``trained`` and the rules."""
    if not comments:
        return []
    sentiment_docs = [
        " ".join(lemmas(c.text, c.language, keep_negations=True)) for c in comments
    ]
    theme_docs = [without_negations(doc) for doc in sentiment_docs]
    assigned: list[list[int]] = [[] for _ in comments]
    weights = None
    if trained.topics is not None:
        weights = trained.topics.weights(theme_docs)
        assigned = trained.topics.assign(weights)
    probabilities = trained.sentiment.probabilities(sentiment_docs)
    result = []
    for row, comment in enumerate(comments):
        themes: dict[int, float] = {}
        for topic in assigned[row]:
            theme_id = trained.themes.get(int(topic))
            if theme_id is not None:
                theme_id = edits.merged.get(theme_id, theme_id)
                themes[theme_id] = max(
                    themes.get(theme_id, 0.0),
                    float(weights[row, topic]),  # type: ignore[index]
                )
        ruled = _apply_rules(set(themes), set(theme_docs[row].split()), edits.rules)
        themes = {pk: themes.get(pk, 1.0) for pk in ruled}
        probability = None if probabilities is None else float(probabilities[row])
        label = sentiment.label_of(comment.score_type, comment.score)
        result.append(
            Tagged(
                themes=themes,
                probability=probability,
                sentiment=sentiment.sentiment_of(probability).value,
                disagrees=sentiment.disagrees(probability, label),
            )
        )
    return result


def text_model_train(
    *, organization: Organization, k: int | None = None, seed: int = 0
) -> TextModel | None:
    """Learn the organisation's themes and sentiment from its comments; tag them all.

    Returns None when another training of the organisation is under way.
    """
    try:
        with transaction.atomic():
            text_model = TextModel.objects.create(
                organization=organization, started_at=timezone.now()
            )
    except IntegrityError:
        return None
    try:
        comments = comments_of(organization=organization)
        sentiment_docs = [
            " ".join(lemmas(c.text, c.language, keep_negations=True)) for c in comments
        ]
        topics = discovery.discover(
            [without_negations(doc) for doc in sentiment_docs], k=k, seed=seed
        )
        labelled = [
            (doc, label)
            for c, doc in zip(comments, sentiment_docs, strict=True)
            if (label := sentiment.label_of(c.score_type, c.score)) is not None
        ]
        learned = sentiment.train(
            [doc for doc, _ in labelled], [label for _, label in labelled]
        )
        with transaction.atomic():
            mapping = _themes_for_topics(organization, topics.topics) if topics else {}
            trained = Trained(topics=topics, sentiment=learned, themes=mapping)
            _store_tags(
                organization,
                comments,
                tag_comments(trained, comments, edits_of(organization)),
            )
            validation = learned.validation
            TextModel.objects.filter(pk=text_model.pk).update(
                state=TextModel.State.READY,
                finished_at=timezone.now(),
                comments=len(comments),
                topics=len(topics.topics) if topics else 0,
                sentiment_labelled=validation.labelled,
                sentiment_held_out=validation.held_out,
                sentiment_accuracy=validation.accuracy,
                sentiment_ci_low=validation.ci_low,
                sentiment_ci_high=validation.ci_high,
                sentiment_base_rate=validation.base_rate,
                sentiment_published=validation.published,
                sentiment_reason=validation.reason,
                payload=pickle.dumps(trained),
            )
    except Exception as exc:
        TextModel.objects.filter(pk=text_model.pk).update(
            state=TextModel.State.FAILED,
            finished_at=timezone.now(),
            error=repr(exc)[:2000],
        )
        raise
    text_model.refresh_from_db()
    return text_model


def _store_tags(
    organization: Organization, comments: list[Comment], tagged: list[Tagged]
) -> None:
    """Replace the themes and analyses of ``comments`` with ``tagged``."""
    ids = [c.response_id for c in comments]
    now = timezone.now()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        ResponseTheme.objects.filter(response_id__in=chunk).delete()
        CommentAnalysis.objects.filter(response_id__in=chunk).delete()
    ResponseTheme.objects.bulk_create(
        [
            ResponseTheme(
                organization=organization,
                response_id=comment.response_id,
                theme_id=theme_id,
                weight=weight,
            )
            for comment, tags in zip(comments, tagged, strict=True)
            for theme_id, weight in tags.themes.items()
        ],
        batch_size=5000,
    )
    CommentAnalysis.objects.bulk_create(
        [
            CommentAnalysis(
                organization=organization,
                response_id=comment.response_id,
                state=CommentAnalysis.State.DONE,
                sentiment=tags.sentiment,
                positive_probability=tags.probability,
                disagrees=tags.disagrees,
                analysed_at=now,
            )
            for comment, tags in zip(comments, tagged, strict=True)
        ],
        batch_size=5000,
    )


def comment_analysis_queue(*, response: Any) -> CommentAnalysis | None:
    """Queue the response's comments for analysis (a pending row), if it has any."""
    if not response.answers.filter(question__type="text").exclude(text="").exists():
        return None
    analysis, _created = CommentAnalysis.objects.get_or_create(
        response_id=response.pk, defaults={"organization_id": response.organization_id}
    )
    return analysis


def comment_analyse(*, response_id: int) -> bool:
    """Tag one pending comment with the latest model; False when not pending."""
    analysis = (
        CommentAnalysis.objects.filter(
            response_id=response_id, state=CommentAnalysis.State.PENDING
        )
        .select_related("response__organization")
        .first()
    )
    if analysis is None:
        return False
    organization = analysis.response.organization
    comments = comments_of(organization=organization, response_ids=[response_id])
    text_model = latest_model(organization)
    trained = (
        trained_of(text_model)
        if text_model is not None
        else Trained(None, sentiment.UNTRAINED)
    )
    tags = (
        tag_comments(trained, comments, edits_of(organization))[0]
        if comments
        else Tagged({}, None, CommentAnalysis.Sentiment.UNKNOWN, False)
    )
    with transaction.atomic():
        # The claim: only the run that moves the row from pending writes its themes.
        claimed = CommentAnalysis.objects.filter(
            pk=analysis.pk, state=CommentAnalysis.State.PENDING
        ).update(
            state=CommentAnalysis.State.DONE,
            sentiment=tags.sentiment,
            positive_probability=tags.probability,
            disagrees=tags.disagrees,
            analysed_at=timezone.now(),
        )
        if not claimed:
            return False
        ResponseTheme.objects.bulk_create(
            [
                ResponseTheme(
                    organization=organization,
                    response_id=response_id,
                    theme_id=theme_id,
                    weight=weight,
                )
                for theme_id, weight in tags.themes.items()
            ],
            ignore_conflicts=True,
        )
    return True


# --- The manager's edits ---------------------------------------------------------------


def theme_rename(*, theme: Theme, label: str) -> Theme:
    """Give ``theme`` a name of the manager's choosing (kept across retraining)."""
    label = " ".join(label.split())[:80]
    if not label:
        raise ValidationError({"label": _("Give the theme a name.")})
    theme.label = label
    theme.label_edited = True
    theme.save(update_fields=["label", "label_edited"])
    return theme


@transaction.atomic
def theme_merge(*, theme: Theme, into: Theme) -> Theme:
    """Merge ``theme`` into ``into``: its comments move, and its future topics too."""
    if into.organization_id != theme.organization_id or into.pk == theme.pk:
        raise ValidationError({"into": _("Choose another theme of yours.")})
    if into.merged_into_id is not None:
        raise ValidationError({"into": _("That theme was itself merged away.")})
    Theme.objects.filter(merged_into=theme).update(merged_into=into)
    theme.merged_into = into
    theme.active = False
    theme.save(update_fields=["merged_into", "active"])
    moved = list(
        ResponseTheme.objects.filter(theme=theme).values_list("response_id", "weight")
    )
    ResponseTheme.objects.bulk_create(
        [
            ResponseTheme(
                organization_id=theme.organization_id,
                response_id=response_id,
                theme=into,
                weight=weight,
            )
            for response_id, weight in moved
        ],
        ignore_conflicts=True,
    )
    ResponseTheme.objects.filter(theme=theme).delete()
    return into


def theme_add_rule(
    *,
    organization: Organization,
    label: str,
    keywords: str,
    split_from: Theme | None = None,
) -> Theme:
    """Add a keyword-rule theme (or split one off ``split_from``) and tag comments."""
    label = " ".join(label.split())[:80]
    words = keywords_of(keywords)
    errors = {}
    if not label:
        errors["label"] = _("Give the theme a name.")
    if not words:
        errors["keywords"] = _("Give at least one keyword.")
    if split_from is not None and split_from.organization_id != organization.pk:
        errors["split_from"] = _("Choose a theme of yours.")
    if errors:
        raise ValidationError(errors)
    theme = Theme.objects.create(
        organization=organization,
        kind=Theme.Kind.RULE,
        label=label,
        label_edited=True,
        keywords=words,
        words=words[:10],
        split_from=split_from,
    )
    themes_retag(organization=organization)
    return theme


def themes_retag(*, organization: Organization) -> int:
    """Tag every comment again with the latest model and the current rules."""
    text_model = latest_model(organization)
    trained = (
        trained_of(text_model)
        if text_model is not None
        else Trained(None, sentiment.UNTRAINED)
    )
    comments = comments_of(organization=organization)
    with transaction.atomic():
        _store_tags(
            organization,
            comments,
            tag_comments(trained, comments, edits_of(organization)),
        )
    return len(comments)
