"""Staff pages: customers at risk, one customer's risks, the models and their effects."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from cx.digits import as_id
from cx.models import Customer, Event, Journey, Segment
from cx.roles import Permission, permissions_of
from cx.staff import signed_in_user, staff_membership
from predictions import charts, effects, explain, selectors, services
from predictions.forms import ProactiveRuleForm
from predictions.models import ModelVersion, PredictionDefinition
from surveys.models import Response


@login_required
def at_risk(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.VIEW_FEEDBACK)
    organization = membership.organization
    definitions = list(selectors.definitions_of(organization).filter(is_active=True))
    chosen = as_id(request.GET.get("prediction"))
    definition = next(
        (d for d in definitions if d.pk == chosen),
        definitions[0] if definitions else None,
    )
    journeys = Journey.objects.for_organization(organization).order_by("name")
    segments = Segment.objects.for_organization(organization).order_by("name")
    journey_id = as_id(request.GET.get("journey"))
    segment = segments.filter(pk=as_id(request.GET.get("segment")) or 0).first()
    rows = []
    version = None
    if definition is not None:
        labels = selectors.event_labels(organization)
        rows = [
            {"risk": risk, "reasons": explain.reasons_words(risk.reasons, labels)}
            for risk in selectors.customers_at_risk(
                organization=organization,
                definition=definition,
                journey_id=journey_id,
                segment=segment,
            )
        ]
        version = selectors.current_version_of(definition)
    return render(
        request,
        "predictions/at_risk.html",
        {
            "definitions": definitions,
            "definition": definition,
            "version": version,
            "rows": rows,
            "journeys": journeys,
            "segments": segments,
            "journey_id": journey_id,
            "segment": segment,
            "may": permissions_of(membership.role),
        },
    )


@login_required
def customer(request: HttpRequest, pk: int) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.VIEW_FEEDBACK)
    organization = membership.organization
    person = Customer.objects.for_organization(organization).filter(pk=pk).first()
    if person is None:
        raise Http404("No such customer.")
    labels = selectors.event_labels(organization)
    risks = [
        {"risk": risk, "reasons": explain.reasons_words(risk.reasons, labels)}
        for risk in selectors.risks_of_customer(
            organization=organization, customer=person
        )
    ]
    events = (
        Event.objects.for_organization(organization)
        .filter(customer=person)
        .select_related("touchpoint")
        .order_by("-occurred_at")[:30]
    )
    responses = (
        Response.objects.for_organization(organization)
        .filter(customer=person, state=Response.State.COMPLETED)
        .select_related("survey", "touchpoint")
        .order_by("-completed_at")[:10]
    )
    return render(
        request,
        "predictions/customer.html",
        {"customer": person, "risks": risks, "events": events, "responses": responses},
    )


@login_required
@require_http_methods(["GET", "POST"])
def models(request: HttpRequest) -> HttpResponse:
    permission = (
        Permission.CONFIGURE_CX
        if request.method == "POST"
        else Permission.VIEW_CONFIGURATION
    )
    membership = staff_membership(request, permission=permission)
    organization = membership.organization
    if request.method == "POST":
        definition = (
            PredictionDefinition.objects.for_organization(organization)
            .filter(pk=as_id(request.POST.get("definition")) or 0)
            .first()
        )
        if definition is None:
            raise Http404("No such prediction.")
        services.training_request(definition=definition, user=signed_in_user(request))
        return redirect(f"{request.path}#prediction-{definition.pk}")
    cards = []
    measured = effects.effects_of(organization)
    labels = selectors.event_labels(organization)
    for definition in selectors.definitions_of(organization):
        versions = list(
            ModelVersion.objects.filter(definition=definition).order_by("-number")[:5]
        )
        published = next(
            (v for v in versions if v.state == ModelVersion.State.PUBLISHED), None
        )
        factors = [
            explain.feature_words(f["feature"], None, labels)
            for f in (published.card.get("top_factors", []) if published else [])[:3]
        ]
        cards.append(
            {
                "definition": definition,
                "versions": versions,
                "published": published,
                "running": next(
                    (v for v in versions if v.state in ("queued", "training")), None
                ),
                "refusals": [
                    (v, [explain.refusal_words(r) for r in v.refusals])
                    for v in versions
                    if v.state == ModelVersion.State.REFUSED
                ][:1],
                "factors": factors,
                "chart": mark_safe(  # noqa: S308 — built by cx.svg, every label escaped
                    charts.reliability(published.card.get("reliability", []))
                )
                if published
                else "",
                "effects": [m for m in measured if m.definition.pk == definition.pk],
            }
        )
    return render(
        request,
        "predictions/models.html",
        {"cards": cards, "may": permissions_of(membership.role)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proactive_rule(request: HttpRequest) -> HttpResponse:
    permission = (
        Permission.CONFIGURE_CX
        if request.method == "POST"
        else Permission.VIEW_CONFIGURATION
    )
    membership = staff_membership(request, permission=permission)
    organization = membership.organization
    form = ProactiveRuleForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        initial={"definition": as_id(request.GET.get("prediction"))},
    )
    if request.method == "POST" and form.is_valid():
        services.proactive_rule_create(organization=organization, **form.cleaned_data)
        return redirect("predictions:models")
    return render(request, "predictions/rule.html", {"form": form})
