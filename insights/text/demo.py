"""Demo step: learn the demo's themes and sentiment, and name the planted themes."""

from __future__ import annotations

from cx.demo import Progress
from cx.models import Organization
from insights.text import services
from insights.text.models import TextModel, Theme

# The story's themes (insights/demo/content.py) and the words that tell them, as the
# seed vocabulary writes them in every language (insights.text.vocabulary): a topic is
# the planted theme when two of these are among its five most telling words.
PLANTED = {
    "Application form crashes": ("crash", "form"),
    "Waiting for the offer": ("wait", "offer"),
    "Friendly chat agent": ("friendly", "chat", "agent"),
}
TELLING = 5


def planted_topics(themes: list[Theme], words: tuple[str, ...]) -> list[Theme]:
    """Return the discovered themes that tell the planted ``words``, the best first."""
    told = [
        (len(set(words) & set(theme.words[:TELLING])), theme)
        for theme in themes
        if theme.kind == Theme.Kind.DISCOVERED
    ]
    return [
        theme
        for hits, theme in sorted(told, key=lambda pair: -pair[0])
        if hits >= min(2, len(words))
    ]


def summary(text_model: TextModel) -> str:
    """Return the sentiment's held-out accuracy with its interval, in one line."""
    if not text_model.sentiment_published:
        return f"sentiment unknown ({text_model.sentiment_reason})"
    return (
        f"sentiment held-out accuracy {text_model.sentiment_accuracy:.2f} "
        f"(95 % interval {text_model.sentiment_ci_low:.2f}–"
        f"{text_model.sentiment_ci_high:.2f}, n = {text_model.sentiment_held_out})"
    )


def load_themes(organization: Organization, progress: Progress) -> None:
    """Train on the demo's comments; name and merge the planted themes' topics."""
    if services.latest_model(organization) is not None:
        progress("themes exist")
        return
    text_model = services.text_model_train(organization=organization)
    if text_model is None or text_model.topics == 0:
        progress("themes skipped")
        return
    for label, words in PLANTED.items():
        found = planted_topics(
            list(
                Theme.objects.for_organization(organization).filter(
                    active=True, merged_into__isnull=True
                )
            ),
            words,
        )
        if not found:
            # Too rare to be a topic of its own yet: the manager adds it by keywords.
            services.theme_add_rule(
                organization=organization, label=label, keywords=words[0]
            )
            continue
        named = services.theme_rename(theme=found[0], label=label)
        for other in found[1:]:
            services.theme_merge(theme=other, into=named)
    progress(f"{text_model.topics} themes, {summary(text_model)}")
