"""The staff "Maturity" pages: where the organisation stands, the self-assessment, reports.

Owners, CX managers, analysts and executives read the page (``VIEW_MATURITY``); those
who may assess (``ASSESS_MATURITY``: owners, CX managers, executives) also ask for a new
assessment, answer the self-assessment and download reports. The page waits for a
running assessment by htmx polling of one partial, as the dashboard refreshes its panels,
so the result appears without a reload. Another organisation's assessment is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from cx.models import Membership
from cx.roles import Permission, role_may
from cx.staff import signed_in_user, staff_membership
from maturity import report, services
from maturity.forms import SelfAssessmentForm
from maturity.method import SELF_ASSESSMENT_ITEMS, SELF_ASSESSMENT_STEPS
from maturity.models import Assessment, SelfAssessmentRound
from maturity.overview import overview
from maturity.selectors import importance_of, self_assessment_answers

# How often a page waiting for an assessment asks for its state (seconds).
POLL_SECONDS = 2
SELF_ASSESSMENT_HISTORY = 12


def _membership(request: HttpRequest, permission: Permission) -> Membership:
    """Return the user's membership that may ``permission``, or refuse (403/404)."""
    return staff_membership(request, permission=permission)


def _context(request: HttpRequest, membership: Membership) -> dict[str, object]:
    organization = membership.organization
    found = overview(organization=organization)
    return {
        "organization": organization,
        "may_assess": role_may(membership.role, Permission.ASSESS_MATURITY),
        "poll_seconds": POLL_SECONDS,
        "report_languages": report.REPORT_LANGUAGES,
        **found,
    }


@login_required
@require_safe
def page(request: HttpRequest) -> HttpResponse:
    membership = _membership(request, Permission.VIEW_MATURITY)
    return render(request, "maturity/page.html", _context(request, membership))


@login_required
@require_safe
def live(request: HttpRequest) -> HttpResponse:
    """Return the page's live part: the latest result, or the wait for a new one."""
    membership = _membership(request, Permission.VIEW_MATURITY)
    return _live(request, membership, waited=bool(request.GET.get("waiting")))


def _live(
    request: HttpRequest, membership: Membership, *, waited: bool
) -> HttpResponse:
    """Render the live part; ``waited``: the page was waiting for an assessment."""
    context = _context(request, membership)
    context["just_finished"] = waited and not context["waiting"]
    return render(request, "maturity/_live.html", context)


@login_required
@require_POST
def assess(request: HttpRequest) -> HttpResponse:
    """Queue an assessment; htmx gets the waiting partial, a plain form a redirect."""
    membership = _membership(request, Permission.ASSESS_MATURITY)
    services.assessment_request(
        organization=membership.organization, user=signed_in_user(request)
    )
    if request.headers.get("HX-Request"):
        return _live(request, membership, waited=True)
    return redirect("maturity:page")


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest) -> HttpResponse:
    """Answer the self-assessment; every save is kept as a round of history."""
    membership = _membership(request, Permission.ASSESS_MATURITY)
    organization = membership.organization
    form = SelfAssessmentForm(
        request.POST or None,
        answers=self_assessment_answers(organization=organization),
        importance=importance_of(organization=organization),
    )
    if request.method == "POST" and form.is_valid():
        services.self_assessment_save(
            organization=organization,
            answers=form.answers(),
            importance=form.importance(),
            user=signed_in_user(request),
        )
        messages.success(
            request,
            _("Self-assessment saved. The next assessment compares it with the data."),
        )
        return redirect(reverse("maturity:page") + "#self-assessment")
    rounds = list(
        SelfAssessmentRound.objects.for_organization(organization)
        .select_related("answered_by")
        .order_by("-answered_at", "-pk")[: SELF_ASSESSMENT_HISTORY + 1]
    )
    return render(
        request,
        "maturity/self_assessment.html",
        {
            "organization": organization,
            "form": form,
            "rounds": [
                (found, _changes(found, rounds[i + 1] if i + 1 < len(rounds) else None))
                for i, found in enumerate(rounds[:SELF_ASSESSMENT_HISTORY])
            ],
        },
        status=400 if form.is_bound else 200,
    )


def _changes(
    found: SelfAssessmentRound, before: SelfAssessmentRound | None
) -> list[str] | None:
    """Return what a round changed from the one before it, in words (None: the first)."""
    if before is None:
        return None
    changed = []
    for key, _dimension, statement in SELF_ASSESSMENT_ITEMS:
        old, new = before.answers.get(key), found.answers.get(key)
        if old != new and new is not None:
            changed.append(
                f"{_(statement)} {_step(old)} → {_step(new)}",
            )
    return changed


def _step(step: int | None) -> str:
    return _(SELF_ASSESSMENT_STEPS[step]) if step in SELF_ASSESSMENT_STEPS else "–"


@login_required
@require_safe
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, Permission.ASSESS_MATURITY)
    assessment = (
        Assessment.objects.for_organization(membership.organization)
        .filter(pk=pk, status=Assessment.Status.DONE)
        .select_related("organization")
        .first()
    )
    if assessment is None:
        raise Http404("No such finished assessment.")
    language = request.GET.get("lang") or translation.get_language()
    if language not in report.REPORT_LANGUAGES:
        if "lang" in request.GET:
            return HttpResponseBadRequest(
                _(
                    "The report is written in Finnish (fi), Swedish (sv) or English (en)."
                ),
                content_type="text/plain; charset=utf-8",
            )
        language = assessment.organization.default_language
    pdf = report.report_pdf(assessment=assessment, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    slug, day = assessment.organization.slug, f"{assessment.period_end:%Y-%m-%d}"
    response["Content-Disposition"] = (
        f'attachment; filename="cx-maturity-{slug}-{day}-{language}.pdf"'
    )
    return response
