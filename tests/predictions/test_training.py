"""Training in the product: queued, trained by Celery, gated, published, then used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from cx.models import Customer, Event, Segment
from cx.services.customers import CustomerIn
from cx.services.events import EventIn, events_record
from followups.models import FollowUp
from predictions import explain, selectors, services
from predictions.features import FeatureSpec
from predictions.models import CustomerRisk, ModelVersion, PredictionDefinition
from surveys.models import Response, ResponseSegment
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(aurora, planted_bank, abandonment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = services.training_request(definition=abandonment)
    version.refresh_from_db()
    return version


def test_a_published_model_validates_scores_customers_and_rescores_on_events(
    aurora, published, django_capture_on_commit_callbacks
):
    # Trained by the Celery task after commit, judged on the later period, published.
    assert published.state == ModelVersion.State.PUBLISHED, published.refusals
    assert published.progress == 100
    card = published.card
    assert card["auc"]["low"] > 0.5
    assert card["sizes"]["test_positives"] >= 50
    assert card["periods"]["train_to"] < card["periods"]["test_from"]
    assert card["auc"]["value"] > card["baseline_last_score_auc"]["value"]
    assert card["brier"] < card["brier_base_rate"]

    # Active customers are scored, their top reasons kept and said in words.
    labels = selectors.event_labels(aurora)
    risks = CustomerRisk.objects.filter(definition=published.definition)
    riskiest = risks.order_by("-risk").first()
    assert 1 <= len(explain.reasons_words(riskiest.reasons, labels)) <= 3
    customer = Customer.objects.get(pk=riskiest.customer_id)
    assert customer.attributes["risk_abandon"] == round(riskiest.risk, 3)
    said = " ".join(
        " ".join(explain.reasons_words(r.reasons, labels))
        for r in risks.order_by("-risk")[:30]
    )
    assert "Advisor chat" in said or "CES" in said  # the planted factor, by name

    # An event has its customer re-scored by a worker after commit; rising to the
    # threshold publishes a webhook with the reasons.
    WebhookEndpoint.objects.create(
        organization=aurora,
        url="https://crm.aurora.example/hooks",
        event_types=["prediction.risk_crossed"],
    )
    calm = risks.filter(at_risk=False).select_related("customer").first()
    PredictionDefinition.objects.filter(pk=published.definition_id).update(
        threshold=0.000001
    )
    # Its risk was below the threshold before the event.
    Customer.objects.filter(pk=calm.customer_id).update(
        attributes={**calm.customer.attributes, "risk_abandon": 0.0}
    )
    posted = EventIn(
        event_id="new-chat", type="chat.ended", occurred_at=timezone.now(),
        customer=CustomerIn(external_id=calm.customer.external_id),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as published_later:
        events_record(organization=aurora, events=[posted])
    calm.refresh_from_db()
    assert not calm.at_risk  # not scored in the ingestion transaction
    for callback in published_later:
        callback()

    calm.refresh_from_db()
    assert calm.at_risk and calm.scored_at > riskiest.scored_at
    delivery = WebhookDelivery.objects.get(event_type="prediction.risk_crossed")
    data = delivery.payload["data"]
    assert data["customer"]["external_id"] == calm.customer.external_id
    assert data["risk"] == pytest.approx(calm.risk, abs=1e-4)


def test_a_second_request_while_training_is_the_same_version(aurora, abandonment):
    first = services.training_request(definition=abandonment)
    again = services.training_request(definition=abandonment)
    assert first.pk == again.pk
    assert first.state == ModelVersion.State.QUEUED


def test_too_little_history_is_refused_and_says_why(
    aurora, application, abandonment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = services.training_request(definition=abandonment)
    version.refresh_from_db()
    assert version.state == ModelVersion.State.REFUSED
    assert version.model is None
    words = [explain.refusal_words(r) for r in version.refusals]
    assert words and "history" in words[0]


def test_data_after_the_prediction_time_changes_no_feature(aurora, small_bank):
    at = timezone.now() - timedelta(days=30)
    responses = Response.objects.filter(
        organization=aurora, state=Response.State.COMPLETED
    ).select_related("customer")
    gold = Segment.objects.create(
        organization=aurora, key="gold", name="Gold", rule={"attribute": "tier",
        "operator": "eq", "value": "gold"},
    )  # fmt: skip
    earlier = [r for r in responses if r.completed_at < at][:300]
    later = [r for r in responses if r.completed_at >= at][:300]
    # Before the moment: snapshots and open cases, which the features see.
    for response in earlier:
        ResponseSegment.objects.create(
            organization=aurora, response=response, segment=gold, key="gold",
            completed_at=response.completed_at,
        )  # fmt: skip
        FollowUp.objects.create(
            organization=aurora, response=response, customer=response.customer,
            reason="low CES", opened_at=response.completed_at,
            due_at=response.completed_at + timedelta(days=2),
        )  # fmt: skip
    before = selectors.history_of(aurora)
    spec = FeatureSpec(
        event_types=("chat.ended", "loan.page_viewed"), segments=("gold",)
    )
    everyone = np.arange(len(before.customer_ids))
    moments = np.full(len(everyone), int(at.timestamp()))
    features = before.features(spec, everyone, moments)
    names = spec.names()
    assert features[:, names.index("cases:open")].any()
    assert features[:, names.index("segment:gold")].any()

    # After the moment: events, cases closed and opened, new snapshots, and the
    # segments and attributes of today changed.
    customers = list(Customer.objects.filter(organization=aurora)[:200])
    Event.objects.bulk_create(
        Event(
            organization=aurora, event_id=f"later-{c.pk}-{k}", type="chat.ended",
            customer=c, occurred_at=at + timedelta(minutes=k),
            received_at=at + timedelta(minutes=k),
        )
        for c in customers
        for k in range(3)
    )  # fmt: skip
    FollowUp.objects.filter(organization=aurora).update(
        state=FollowUp.State.CLOSED, closed_at=at + timedelta(hours=1),
        root_cause="process", action_taken="Called back.",
    )  # fmt: skip
    for response in later:
        FollowUp.objects.create(
            organization=aurora, response=response, customer=response.customer,
            reason="low CES", opened_at=response.completed_at,
            due_at=response.completed_at + timedelta(days=2),
        )  # fmt: skip
        ResponseSegment.objects.create(
            organization=aurora, response=response, segment=gold, key="gold",
            completed_at=response.completed_at,
        )  # fmt: skip
    Segment.objects.filter(pk=gold.pk).update(rule={"all": []})
    Customer.objects.filter(organization=aurora).update(attributes={"tier": "gold"})
    after = selectors.history_of(aurora)

    assert (after.customer_ids == before.customer_ids).all()
    np.testing.assert_array_equal(features, after.features(spec, everyone, moments))
    # The same rows counted a day later do change the features: the test can fail.
    a_day_later = moments + 86_400
    assert not np.array_equal(
        before.features(spec, everyone, a_day_later),
        after.features(spec, everyone, a_day_later),
    )


def test_a_detractor_prediction_labels_the_next_answer_at_its_touchpoint(
    aurora, application, small_bank
):
    touchpoints, _ = application
    definition = PredictionDefinition.objects.create(
        organization=aurora, key="detractor", name="Next answer is low",
        kind=PredictionDefinition.Kind.DETRACTOR,
        touchpoint=touchpoints["mortgage.application_submitted"], horizon_days=30,
    )  # fmt: skip
    history = selectors.history_of(aurora)
    outcome = services.outcome_for(definition, history)
    everyone = np.arange(len(history.customer_ids))
    at = np.full(len(everyone), int(datetime(2026, 4, 1, tzinfo=UTC).timestamp()))
    labels = outcome(everyone, at)

    assert set(np.unique(labels)) <= {-1, 0, 1}
    assert (labels == 1).any() and (labels == 0).any() and (labels == -1).any()
