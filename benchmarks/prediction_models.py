"""Benchmark: learning a prediction at scale, and scoring a customer after an event.

1. Feature extraction + training + validation (``predictions.learning.train``) on a
   generated history of ``CUSTOMERS`` customers and about ten events each (100,000 /
   1,000,000 by default), next to scikit-learn's ``fit`` alone of the same estimators
   on the same matrices, timed in the same run. Target: ≤ 3× the fits.
2. Ingesting one event through ``cx.services.events.events_record`` for a customer of
   an organisation with a published model, with the predictions receiver (which hands
   the customer to a worker after commit, through a real Redis broker) and without it,
   interleaved; the p95 difference. Target: ≤ 5 ms. Then the worker's side: scoring one
   customer (``services.customers_rescore``: one query for the history, the cached
   model, the risk upsert and the attribute), p95.

    make bench-predictions     (DATABASE_URL=postgres://… ; CUSTOMERS=100000 EVENTS=400;
                                PART=learning or PART=scoring runs one half)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _db import django_setup, table, throwaway_database

CUSTOMERS = int(os.environ.get("CUSTOMERS", "100000"))
EVENTS = int(os.environ.get("EVENTS", "400"))
# Scoring is published to a real broker (a Redis database of its own, emptied after).
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
PART = os.environ.get("PART", "")


def learning_at_scale() -> list[tuple[str, str, str, str, str]]:
    import numpy as np
    from threadpoolctl import threadpool_limits

    from predictions import learning
    from predictions.features import History
    from predictions.synthetic import ABANDONED, generate

    generated = generate(CUSTOMERS, days=120, seed=1, visits=6)
    print(f"{len(generated.event_times):,} events of {CUSTOMERS:,} customers")
    started = time.perf_counter()
    history = History.build(
        event_customers=generated.event_customers,
        event_types=generated.event_types,
        event_times=generated.event_times,
        answer_customers=generated.answer_customers,
        answer_metrics=["ces"] * len(generated.answer_customers),
        answer_scores=generated.answer_scores,
        answer_times=generated.answer_times,
        answer_comments=np.zeros(len(generated.answer_customers), bool),
    )

    def outcome(customers, at):  # type: ignore[no-untyped-def]
        return history.event_outcome(ABANDONED, customers, at, horizon_days=14).astype(
            int
        )

    trained = learning.train(history, outcome, now=generated.now, horizon_days=14)
    pipeline = time.perf_counter() - started
    print(
        f"train: {pipeline:.1f} s, {trained.card['sizes']}, AUC {trained.card['auc']}"
    )

    # The same fits again, on the same matrices, timed alone.
    spec = trained.spec
    cutoffs = learning.cutoff_grid(history, now=generated.now, horizon_days=14)
    test_cut = cutoffs[int(len(cutoffs) * 2 / 3) :]
    train_cut = cutoffs[cutoffs + 14 * 86_400 <= test_cut[0]]
    examples = learning.examples(history, spec, outcome, train_cut)
    inner = train_cut[int(len(train_cut) * 3 / 4) :]
    early = examples.at < inner[0]
    fits = 0.0
    with threadpool_limits(limits=1):
        for make, rows in (
            (learning.logistic, early),
            (learning.boosting, early),
            (learning.CANDIDATES[trained.card["estimator"]], slice(None)),
        ):
            model = make()
            begun = time.perf_counter()
            model.fit(examples.matrix[rows], examples.labels[rows])
            fits += time.perf_counter() - begun
    ratio = pipeline / fits
    return [
        (
            f"features + training + validation ({CUSTOMERS:,} customers)",
            f"{pipeline:.1f} s",
            f"{fits:.1f} s (fit alone)",
            f"{ratio:.2f}×",
            "≤ 3× " + ("met" if ratio <= 3 else "NOT met"),
        )
    ]


def scoring_after_an_event() -> list[tuple[str, str, str, str, str]]:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cx.models import Customer
    from cx.plugins import plugins
    from cx.services.customers import CustomerIn
    from cx.services.events import EventIn, events_record
    from predictions import services
    from predictions.models import ModelVersion, PredictionDefinition
    from predictions.synthetic import ABANDONED, generate, load
    from tests.factories import (
        JourneyFactory,
        OrganizationFactory,
        SurveyFactory,
        TouchpointFactory,
    )

    organization = OrganizationFactory(slug="bench", name="Bench Oy")
    journey = JourneyFactory(organization=organization, name="Loan")
    touchpoints = {
        kind: TouchpointFactory(
            journey=journey, position=position, name=kind, event_types=[kind]
        )
        for position, kind in enumerate(
            ["loan.page_viewed", "chat.ended", "mortgage.application_submitted"],
            start=1,
        )
    }
    survey = SurveyFactory(
        organization=organization, name="Applying", languages=["en"],
        title={"en": "Applying"}, questions=["ces"],
    )  # fmt: skip
    days = 120
    generated = generate(
        3000, days=days, seed=2, start=int(timezone.now().timestamp()) - days * 86_400
    )
    load(organization, generated, survey=survey, touchpoints=touchpoints)
    definition = PredictionDefinition.objects.create(
        organization=organization, key="abandon", name="Abandons",
        kind=PredictionDefinition.Kind.EVENT, event_type=ABANDONED, horizon_days=14,
    )  # fmt: skip
    version = ModelVersion.objects.create(
        organization=organization, definition=definition, number=1
    )
    services.training_run(version_id=version.pk)
    version.refresh_from_db()
    assert version.state == ModelVersion.State.PUBLISHED, version.refusals

    with_scoring = list(settings.CX_EVENT_RECEIVERS)
    without = [r for r in with_scoring if not r.startswith("predictions.")]
    timings: dict[str, list[float]] = {"with": [], "without": []}
    queries: dict[str, list[int]] = {"with": [], "without": []}
    for n in range(EVENTS):
        for name, receivers in (("with", with_scoring), ("without", without)):
            settings.CX_EVENT_RECEIVERS = receivers
            plugins.cache_clear()
            event = EventIn(
                event_id=f"bench-{name}-{n}", type="chat.ended",
                occurred_at=timezone.now(),
                customer=CustomerIn(external_id=f"gen-{1 + (n * 7) % 3000}"),
            )  # fmt: skip
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                events_record(organization=organization, events=[event])
                timings[name].append((time.perf_counter() - begun) * 1000)
            queries[name].append(len(captured))
    settings.CX_EVENT_RECEIVERS = with_scoring
    plugins.cache_clear()
    from cx.celery import app

    app.control.purge()  # the scorings the events queued: no worker runs here
    worker: list[float] = []
    for n in range(EVENTS):
        customer = Customer.objects.get(
            organization=organization, external_id=f"gen-{1 + (n * 7) % 3000}"
        )
        begun = time.perf_counter()
        services.customers_rescore(
            organization_id=organization.pk, customer_ids=[customer.pk]
        )
        worker.append((time.perf_counter() - begun) * 1000)
    if os.environ.get("SHOW_QUERIES"):
        import cProfile

        event = EventIn(
            event_id="bench-show", type="chat.ended", occurred_at=timezone.now(),
            customer=CustomerIn(external_id="gen-5"),
        )  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            cProfile.runctx(
                "events_record(organization=organization, events=[event])",
                globals(), locals(), sort="cumulative",
            )  # fmt: skip
        for query in captured.captured_queries:
            print(query["time"], query["sql"][:300])

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]

    added = p95(timings["with"]) - p95(timings["without"])
    extra = statistics.mean(queries["with"]) - statistics.mean(queries["without"])
    return [
        (
            "one event, p95, scoring the customer",
            f"{p95(timings['with']):.2f} ms",
            f"{p95(timings['without']):.2f} ms (no scoring)",
            f"+{added:.2f} ms",
            "≤ +5 ms " + ("met" if added <= 5 else "NOT met"),
        ),
        (
            "one event, median, scoring the customer",
            f"{statistics.median(timings['with']):.2f} ms",
            f"{statistics.median(timings['without']):.2f} ms (no scoring)",
            f"+{statistics.median(timings['with']) - statistics.median(timings['without']):.2f} ms",
            "",
        ),
        (
            "scoring one customer in the worker, p95",
            f"{p95(worker):.2f} ms",
            "",
            "",
            "",
        ),
        (
            "one event, SQL statements",
            f"{statistics.mean(queries['with']):.1f}",
            f"{statistics.mean(queries['without']):.1f} (no scoring)",
            f"+{extra:.1f}",
            "",
        ),
    ]


def main() -> None:
    rows = []
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["CELERY_BROKER_URL"] = BROKER
    with throwaway_database("bench_predictions") as url:
        django_setup(url)
        if PART != "scoring":
            rows += learning_at_scale()
        if PART != "learning":
            rows += scoring_after_an_event()
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
