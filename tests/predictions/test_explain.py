"""Reasons about cases and segments, in words, in each language."""

from __future__ import annotations

from django.utils import translation

from predictions.explain import feature_words

LABELS = {"segment:first-home": "First home buyers"}


def test_cases_and_segments_read_as_a_person_would_say_them():
    assert feature_words("cases:open", 1.0) == "1 open follow-up case"
    assert feature_words("cases:90", 3.0) == "3 follow-up cases in the last 90 days"
    said = feature_words("segment:first-home", 1.0, LABELS)
    assert said == "in the segment “First home buyers”"
    assert feature_words("segment:first-home", 0.0, LABELS).startswith("not in")


def test_they_are_translated():
    with translation.override("fi"):
        assert feature_words("cases:open", 2.0) == "2 avointa seurantatapausta"
    with translation.override("sv"):
        said = feature_words("segment:first-home", 1.0, LABELS)
        assert said == "i segmentet ”First home buyers”"
