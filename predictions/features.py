"""Features of a customer as known at a moment, without leakage, and outcomes after it.

Pure computation (numpy, no ORM). A :class:`History` holds an organisation's events and
scored answers as sorted integer keys (customer, [type or metric,] time); every feature
of a customer at time ``at`` reads only keys *strictly before* ``at`` through binary
search, so data added after ``at`` cannot change it (``tests/predictions`` proves it).
Outcomes read only what happened *after* ``at`` within the horizon.

Features, per customer and moment (their names are keys the reasons put into words):

- ``events:<type>:<days>`` events of each tracked type in the last 10 and 60 days
- ``events:all:60`` every event in the last 60 days; ``days_since_last_event``
- ``journey_step`` the position on its journey of the latest touchpoint within 60 days
- ``last_score:<metric>`` the last NPS, CSAT and CES score given (a neutral midpoint
  when none was given), ``answers:90``, ``low_scores:90`` (detractor, CSAT ≤ 2,
  CES ≤ 3, FCR no) and ``comments:90`` over the last 90 days
- ``cases:open`` follow-up cases open at the moment (opened before it, not closed
  before it) and ``cases:90`` cases opened in the last 90 days
- ``segment:<key>`` whether the customer was in the segment at their latest response
  before the moment (the segment snapshot taken when it completed, never today's
  attributes, which may have changed since)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

DAY = 86_400
SPAN = 1 << 32  # seconds of history a key can hold (136 years): keys stay in int64
SHORT_DAYS, LONG_DAYS, ANSWER_DAYS = 10, 60, 90
NO_EVENT_DAYS = 365.0
METRICS = ("nps", "csat", "ces", "fcr")
SCALE = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "fcr": (0, 1)}
MIDPOINT = {"nps": 5.0, "csat": 3.0, "ces": 4.0}
SCORED = ("nps", "csat", "ces")


def is_low(metric: str, score: float) -> bool:
    """Return whether ``score`` is a low one (the follow-up policy's defaults)."""
    return {
        "nps": score <= 6,
        "csat": score <= 2,
        "ces": score <= 3,
        "fcr": score <= 0,
    }[metric]


def normalised(metric: str, score: float) -> float:
    low, high = SCALE[metric]
    return (score - low) / (high - low)


@dataclass(frozen=True)
class FeatureSpec:
    """Which event types and segments the features read (the most frequent ones).

    ``cases`` is False only for models trained before case features existed.
    """

    event_types: tuple[str, ...]
    segments: tuple[str, ...] = ()
    cases: bool = True

    def names(self) -> list[str]:
        names = [
            f"events:{kind}:{days}"
            for kind in self.event_types
            for days in (SHORT_DAYS, LONG_DAYS)
        ]
        names += [f"events:all:{LONG_DAYS}", "days_since_last_event", "journey_step"]
        names += [f"last_score:{metric}" for metric in SCORED]
        names += [
            f"answers:{ANSWER_DAYS}",
            f"low_scores:{ANSWER_DAYS}",
            f"comments:{ANSWER_DAYS}",
        ]
        if self.cases:
            names += ["cases:open", f"cases:{ANSWER_DAYS}"]
        names += [f"segment:{key}" for key in self.segments]
        return names


def _sorted(keys: np.ndarray, *aligned: np.ndarray) -> tuple[np.ndarray, ...]:
    order = np.argsort(keys, kind="stable")
    return (keys[order], *(column[order] for column in aligned))


@dataclass
class History:
    """An organisation's events and answers as sorted keys, for features and outcomes.

    Times are whole seconds since the epoch; customers are dense indexes into
    ``customer_ids`` (sorted). Build it with :meth:`build`.
    """

    customer_ids: np.ndarray
    types: tuple[str, ...]
    base: int
    event_keys: np.ndarray  # customer · SPAN + t
    event_steps: np.ndarray  # journey position of the event's touchpoint (0: none)
    typed_keys: np.ndarray  # (customer · K + type) · SPAN + t
    answer_keys: np.ndarray  # customer · SPAN + t
    answer_low: np.ndarray  # cumulative count of low scores up to each key
    answer_comments: np.ndarray  # cumulative count of comments
    answer_last: np.ndarray  # normalised score (for the "last score" baseline)
    metric_keys: np.ndarray  # (customer · M + metric) · SPAN + t
    metric_scores: np.ndarray
    type_index: dict[str, int] = field(default_factory=dict)
    case_opened: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    case_closed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    segments: tuple[str, ...] = ()
    segment_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def build(
        cls,
        *,
        event_customers: Sequence[int] | np.ndarray,
        event_types: Sequence[str] | np.ndarray,
        event_times: Sequence[int] | np.ndarray,
        event_steps: Sequence[int] | np.ndarray | None = None,
        answer_customers: Sequence[int] | np.ndarray = (),
        answer_metrics: Sequence[str] | np.ndarray = (),
        answer_scores: Sequence[float] | np.ndarray = (),
        answer_times: Sequence[int] | np.ndarray = (),
        answer_comments: Sequence[bool] | np.ndarray = (),
        case_customers: Sequence[int] | np.ndarray = (),
        case_opened: Sequence[int] | np.ndarray = (),
        case_closed: Sequence[int | None] | np.ndarray = (),
        segment_customers: Sequence[int] | np.ndarray = (),
        segment_keys: Sequence[str] | np.ndarray = (),
        segment_times: Sequence[int] | np.ndarray = (),
        customer_ids: Sequence[int] | np.ndarray | None = None,
    ) -> History:
        """Return the history of these events, scored answers, follow-up cases (opened,
        closed or None) and segment snapshots (ids are customer pks)."""
        ev_customers = np.asarray(event_customers, dtype=np.int64)
        an_customers = np.asarray(answer_customers, dtype=np.int64)
        ca_customers = np.asarray(case_customers, dtype=np.int64)
        sg_customers = np.asarray(segment_customers, dtype=np.int64)
        ids = np.unique(
            np.concatenate(
                [
                    ev_customers,
                    an_customers,
                    ca_customers,
                    sg_customers,
                    np.asarray(
                        customer_ids if customer_ids is not None else [], np.int64
                    ),
                ]
            )
        )
        ev_times = np.asarray(event_times, dtype=np.int64)
        an_times = np.asarray(answer_times, dtype=np.int64)
        opened = np.asarray(case_opened, dtype=np.int64)
        closed = np.array([-1 if c is None else c for c in case_closed], np.int64)
        sg_times = np.asarray(segment_times, dtype=np.int64)
        everything = np.concatenate([ev_times, an_times, opened, sg_times])
        base = int(everything.min()) - 400 * DAY if len(everything) else 0
        types, type_codes = np.unique(
            np.asarray(event_types, dtype=object).astype(str), return_inverse=True
        )
        k = max(len(types), 1)
        ev_idx = np.searchsorted(ids, ev_customers)
        rel = ev_times - base
        steps = (
            np.zeros(len(ev_times), np.int64)
            if event_steps is None
            else np.asarray(event_steps, dtype=np.int64)
        )
        event_keys, event_steps_sorted = _sorted(ev_idx * SPAN + rel, steps)
        (typed_keys,) = _sorted((ev_idx * k + type_codes.astype(np.int64)) * SPAN + rel)

        metric_names = np.asarray(answer_metrics, dtype=object).astype(str)
        scores = np.asarray(answer_scores, dtype=float)
        comments = np.asarray(answer_comments, dtype=bool)
        an_idx = np.searchsorted(ids, an_customers)
        an_rel = an_times - base
        low = np.array(
            [is_low(m, s) for m, s in zip(metric_names, scores, strict=True)], bool
        )
        norm = np.array(
            [normalised(m, s) for m, s in zip(metric_names, scores, strict=True)], float
        )
        answer_keys, low_s, comments_s, norm_s = _sorted(
            an_idx * SPAN + an_rel, low, comments, norm
        )
        metric_codes = np.array(
            [METRICS.index(m) for m in metric_names], dtype=np.int64
        )
        metric_keys, metric_scores = _sorted(
            (an_idx * len(METRICS) + metric_codes) * SPAN + an_rel, scores
        )
        ca_idx = np.searchsorted(ids, ca_customers)
        shut = closed >= 0
        names, segment_codes = np.unique(
            np.asarray(segment_keys, dtype=object).astype(str), return_inverse=True
        )
        s = max(len(names), 1)
        sg_idx = np.searchsorted(ids, sg_customers)
        return cls(
            case_opened=np.sort(ca_idx * SPAN + opened - base),
            case_closed=np.sort((ca_idx * SPAN + closed - base)[shut]),
            segments=tuple(str(n) for n in names),
            segment_keys=np.sort(
                (sg_idx * s + segment_codes.astype(np.int64)) * SPAN + sg_times - base
            ),
            customer_ids=ids,
            types=tuple(str(t) for t in types),
            base=base,
            event_keys=event_keys,
            event_steps=event_steps_sorted,
            typed_keys=typed_keys,
            answer_keys=answer_keys,
            answer_low=np.concatenate([[0], np.cumsum(low_s)]),
            answer_comments=np.concatenate([[0], np.cumsum(comments_s)]),
            answer_last=norm_s,
            metric_keys=metric_keys,
            metric_scores=metric_scores,
            type_index={str(t): i for i, t in enumerate(types)},
        )

    def index_of(self, customer_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Return the dense indexes of customer pks (−1 for a customer never seen)."""
        ids = np.asarray(customer_ids, dtype=np.int64)
        idx = np.searchsorted(self.customer_ids, ids)
        idx = np.minimum(idx, max(len(self.customer_ids) - 1, 0))
        known = len(self.customer_ids) > 0
        return np.where(known & (self.customer_ids[idx] == ids), idx, -1)

    def _count(
        self,
        keys: np.ndarray,
        prefix: np.ndarray,
        start: np.ndarray | int,
        end: np.ndarray | int,
    ) -> np.ndarray:
        """Return how many keys of ``prefix`` have a time in [start, end)."""
        return np.searchsorted(keys, prefix + end) - np.searchsorted(
            keys, prefix + start
        )

    def features(
        self, spec: FeatureSpec, customers: np.ndarray, at: np.ndarray
    ) -> np.ndarray:
        """Return the feature matrix of dense ``customers`` at epoch seconds ``at``."""
        customers = np.asarray(customers, dtype=np.int64)
        t = np.asarray(at, dtype=np.int64) - self.base
        n = len(customers)
        columns: list[np.ndarray] = []
        k = max(len(self.types), 1)
        for kind in spec.event_types:
            code = self.type_index.get(kind)
            for days in (SHORT_DAYS, LONG_DAYS):
                if code is None:
                    columns.append(np.zeros(n))
                    continue
                prefix = (customers * k + code) * SPAN
                columns.append(self._count(self.typed_keys, prefix, t - days * DAY, t))
        prefix = customers * SPAN
        columns.append(self._count(self.event_keys, prefix, t - LONG_DAYS * DAY, t))
        last = np.searchsorted(self.event_keys, prefix + t) - 1
        safe = np.maximum(last, 0)
        seen = (
            (last >= 0) & (self.event_keys[safe] >= prefix)
            if n and len(self.event_keys)
            else np.zeros(n, bool)
        )
        if len(self.event_keys):
            when = self.event_keys[safe] - prefix
            days_since = np.where(seen, (t - when) / DAY, NO_EVENT_DAYS)
            recent = seen & (t - when < LONG_DAYS * DAY)
            step = np.where(recent, self.event_steps[safe], 0)
        else:
            days_since, step = np.full(n, NO_EVENT_DAYS), np.zeros(n)
        columns += [np.minimum(days_since, NO_EVENT_DAYS), step]
        for metric in SCORED:
            m_prefix = (customers * len(METRICS) + METRICS.index(metric)) * SPAN
            idx = np.searchsorted(self.metric_keys, m_prefix + t) - 1
            safe = np.maximum(idx, 0)
            if len(self.metric_keys):
                given = (idx >= 0) & (self.metric_keys[safe] >= m_prefix)
                columns.append(
                    np.where(given, self.metric_scores[safe], MIDPOINT[metric])
                )
            else:
                columns.append(np.full(n, MIDPOINT[metric]))
        lo = np.searchsorted(self.answer_keys, prefix + t - ANSWER_DAYS * DAY)
        hi = np.searchsorted(self.answer_keys, prefix + t)
        columns.append(hi - lo)
        columns.append(self.answer_low[hi] - self.answer_low[lo])
        columns.append(self.answer_comments[hi] - self.answer_comments[lo])
        if spec.cases:
            columns += self._case_columns(prefix, t)
        columns += self._segment_columns(spec, customers, t, last_answer=hi - 1)
        return np.column_stack([np.asarray(c, dtype=float) for c in columns])

    def _case_columns(self, prefix: np.ndarray, t: np.ndarray) -> list[np.ndarray]:
        """Return cases open at ``t`` and cases opened in the 90 days before it."""
        opened = self._count(self.case_opened, prefix, 0, t)
        closed = self._count(self.case_closed, prefix, 0, t)
        recent = self._count(self.case_opened, prefix, t - ANSWER_DAYS * DAY, t)
        return [opened - closed, recent]

    def _segment_columns(
        self,
        spec: FeatureSpec,
        customers: np.ndarray,
        t: np.ndarray,
        *,
        last_answer: np.ndarray,
    ) -> list[np.ndarray]:
        """Return 1 where the customer was in each segment at their latest response.

        The latest snapshot of the segment before ``t`` counts when it is no older
        than the customer's latest scored answer before ``t`` (taken at that response,
        or at a later one without a score).
        """
        n = len(customers)
        prefix = customers * SPAN
        safe = np.maximum(last_answer, 0)
        answered = (
            (last_answer >= 0) & (self.answer_keys[safe] >= prefix)
            if len(self.answer_keys)
            else np.zeros(n, bool)
        )
        answered_at = (
            np.where(answered, self.answer_keys[safe] - prefix, -1)
            if len(self.answer_keys)
            else np.full(n, -1)
        )
        s = max(len(self.segments), 1)
        index = {key: i for i, key in enumerate(self.segments)}
        columns = []
        for key in spec.segments:
            code = index.get(key)
            if code is None or not len(self.segment_keys):
                columns.append(np.zeros(n))
                continue
            s_prefix = (customers * s + code) * SPAN
            idx = np.searchsorted(self.segment_keys, s_prefix + t) - 1
            found = np.maximum(idx, 0)
            snapped = (idx >= 0) & (self.segment_keys[found] >= s_prefix)
            when = self.segment_keys[found] - s_prefix
            columns.append((snapped & (when >= answered_at)).astype(float))
        return columns

    def last_score(self, customers: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Return each customer's last score before ``at`` on a 0–1 scale (NaN if none)."""
        customers = np.asarray(customers, dtype=np.int64)
        t = np.asarray(at, dtype=np.int64) - self.base
        if not len(self.answer_keys):
            return np.full(len(customers), np.nan)
        prefix = customers * SPAN
        idx = np.searchsorted(self.answer_keys, prefix + t) - 1
        safe = np.maximum(idx, 0)
        given = (idx >= 0) & (self.answer_keys[safe] >= prefix)
        return np.where(given, self.answer_last[safe], np.nan)

    def active(self, customers: np.ndarray, at: np.ndarray, *, days: int) -> np.ndarray:
        """Return whether each customer had an event in the ``days`` before ``at``."""
        customers = np.asarray(customers, dtype=np.int64)
        t = np.asarray(at, dtype=np.int64) - self.base
        return self._count(self.event_keys, customers * SPAN, t - days * DAY, t) > 0

    def event_outcome(
        self, kind: str, customers: np.ndarray, at: np.ndarray, *, horizon_days: int
    ) -> np.ndarray:
        """Return whether an event of ``kind`` follows ``at`` within the horizon."""
        code = self.type_index.get(kind)
        customers = np.asarray(customers, dtype=np.int64)
        if code is None:
            return np.zeros(len(customers), bool)
        t = np.asarray(at, dtype=np.int64) - self.base
        prefix = (customers * max(len(self.types), 1) + code) * SPAN
        after = np.searchsorted(self.typed_keys, prefix + t, side="right")
        until = np.searchsorted(
            self.typed_keys, prefix + t + horizon_days * DAY, side="right"
        )
        return until > after


@dataclass
class AnswerOutcomes:
    """Scored answers at one touchpoint, for "the next answer there is a detractor"."""

    keys: np.ndarray
    low: np.ndarray

    @classmethod
    def build(
        cls,
        history: History,
        *,
        customers: Sequence[int] | np.ndarray,
        metrics: Sequence[str],
        scores: Sequence[float],
        times: Sequence[int] | np.ndarray,
    ) -> AnswerOutcomes:
        idx = history.index_of(customers)
        keep = idx >= 0
        low = np.array(
            [is_low(m, s) for m, s in zip(metrics, scores, strict=True)], bool
        )
        rel = np.asarray(times, dtype=np.int64) - history.base
        keys, low_sorted = _sorted((idx * SPAN + rel)[keep], low[keep])
        return cls(keys=keys, low=low_sorted)

    def next_low(
        self, customers: np.ndarray, at: np.ndarray, *, base: int, horizon_days: int
    ) -> np.ndarray:
        """Return 1 if the next answer within the horizon is low, 0 if not, −1 if none."""
        customers = np.asarray(customers, dtype=np.int64)
        t = np.asarray(at, dtype=np.int64) - base
        prefix = customers * SPAN
        nxt = np.searchsorted(self.keys, prefix + t, side="right")
        if not len(self.keys):
            return np.full(len(customers), -1)
        safe = np.minimum(nxt, len(self.keys) - 1)
        inside = (nxt < len(self.keys)) & (
            self.keys[safe] <= prefix + t + horizon_days * DAY
        )
        return np.where(inside, self.low[safe].astype(int), -1)
