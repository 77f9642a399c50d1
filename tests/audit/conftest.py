"""Audit fixtures: a customer's answered chat survey with a follow-up case."""

from __future__ import annotations

from tests.followups.conftest import answered  # noqa: F401
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401
