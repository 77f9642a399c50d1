"""A generated mortgage history with a planted signal, for tests and the benchmark.

Each customer starts a loan application on a random day: a loan-page visit, some chats
with an advisor over the next ten days, the application, then a CES answer (1–7).
The planted signal: customers who needed three or more chats *and* scored CES ≤ 3
abandon the application (``mortgage.application_abandoned``) within two weeks far more
often (``lift``) than the others (``base``). Web visits add noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cx.models import Organization, Touchpoint
    from surveys.models import Survey

from dataclasses import dataclass

import numpy as np

from predictions.features import DAY

ABANDONED = "mortgage.application_abandoned"


@dataclass
class Generated:
    event_customers: np.ndarray
    event_types: np.ndarray
    event_times: np.ndarray
    answer_customers: np.ndarray
    answer_times: np.ndarray
    answer_scores: np.ndarray
    start: int
    days: int

    @property
    def now(self) -> int:
        return self.start + self.days * DAY


def generate(
    customers: int,
    *,
    days: int = 120,
    seed: int = 0,
    base: float = 0.06,
    lift: float = 0.4,
    visits: int = 3,
    start: int = 1_760_000_000,
) -> Generated:
    """Return a history of ``customers`` over ``days`` with the planted signal."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, customers + 1, dtype=np.int64)
    begin = start + rng.integers(0, (days - 5) * DAY, customers)
    chats = rng.choice(
        [0, 1, 2, 3, 4, 5], customers, p=[0.2, 0.3, 0.2, 0.15, 0.1, 0.05]
    )
    ces = np.clip(np.round(rng.normal(5.2 - 0.6 * (chats >= 3), 1.4)), 1, 7)
    planted = (chats >= 3) & (ces <= 3)
    abandons = rng.random(customers) < np.where(planted, base + lift, base)
    types: list[np.ndarray] = []
    who: list[np.ndarray] = []
    when: list[np.ndarray] = []

    def add(kind: str, mask: np.ndarray, at: np.ndarray) -> None:
        types.append(np.full(int(mask.sum()), kind, dtype=object))
        who.append(ids[mask])
        when.append(at[mask])

    everyone = np.ones(customers, bool)
    add("loan.page_viewed", everyone, begin)
    chat_owner = np.repeat(np.arange(customers), chats)
    chat_at = begin[chat_owner] + rng.integers(0, 10 * DAY, len(chat_owner))
    types.append(np.full(len(chat_owner), "chat.ended", dtype=object))
    who.append(ids[chat_owner])
    when.append(chat_at)
    submitted = begin + 10 * DAY + rng.integers(0, DAY, customers)
    add("mortgage.application_submitted", everyone, submitted)
    answered_at = submitted + 3600
    add(ABANDONED, abandons, answered_at + rng.integers(DAY, 14 * DAY, customers))
    visit_owner = rng.integers(0, customers, customers * visits)
    types.append(np.full(len(visit_owner), "web.visit", dtype=object))
    who.append(ids[visit_owner])
    when.append(start + rng.integers(0, days * DAY, len(visit_owner)))
    times = np.concatenate(when)
    inside = times < start + days * DAY
    answered = answered_at < start + days * DAY
    return Generated(
        event_customers=np.concatenate(who)[inside],
        event_types=np.concatenate(types)[inside],
        event_times=times[inside],
        answer_customers=ids[answered],
        answer_times=answered_at[answered],
        answer_scores=ces[answered],
        start=start,
        days=days,
    )


def load(
    organization: Organization,
    generated: Generated,
    *,
    survey: Survey,
    touchpoints: Mapping[str, Touchpoint],
) -> None:
    """Write ``generated`` into the database as the product would hold it.

    Customers ``gen-<n>``, their events (on ``touchpoints``: event type → touchpoint)
    and one completed response per CES answer to ``survey``'s CES question.
    """
    from datetime import UTC, datetime

    from cx.models import Customer, Event
    from surveys.models import Answer, Question, Response

    def moment(seconds: int) -> datetime:
        return datetime.fromtimestamp(int(seconds), tz=UTC)

    ids = np.unique(
        np.concatenate([generated.event_customers, generated.answer_customers])
    )
    customers = Customer.objects.bulk_create(
        Customer(
            organization=organization,
            external_id=f"gen-{n}",
            email=f"gen-{n}@example.com",
            language="fi",
        )
        for n in ids
    )
    pk = {int(n): c.pk for n, c in zip(ids, customers, strict=True)}
    Event.objects.bulk_create(
        (
            Event(
                organization=organization,
                event_id=f"gen-{i}",
                type=str(kind),
                customer_id=pk[int(who)],
                touchpoint=touchpoints.get(str(kind)),
                occurred_at=moment(at),
                received_at=moment(at),
            )
            for i, (who, kind, at) in enumerate(
                zip(
                    generated.event_customers,
                    generated.event_types,
                    generated.event_times,
                    strict=True,
                )
            )
        ),
        batch_size=2000,
    )
    question = survey.questions.get(type=Question.Type.CES)
    touchpoint = touchpoints.get("mortgage.application_submitted")
    responses = Response.objects.bulk_create(
        (
            Response(
                organization=organization,
                survey=survey,
                customer_id=pk[int(who)],
                touchpoint=touchpoint,
                journey=touchpoint.journey if touchpoint else None,
                origin=Response.Origin.EVENT,
                language="fi",
                state=Response.State.COMPLETED,
                started_at=moment(at),
                completed_at=moment(at),
            )
            for who, at in zip(
                generated.answer_customers, generated.answer_times, strict=True
            )
        ),
        batch_size=2000,
    )
    Answer.objects.bulk_create(
        (
            Answer(response=response, question=question, number=int(score))
            for response, score in zip(responses, generated.answer_scores, strict=True)
        ),
        batch_size=2000,
    )
