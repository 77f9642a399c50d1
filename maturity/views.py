"""The staff "Maturity" page: assessments with their level and trend, and the reports.

Roles that may read the maturity assessment see it; assessing and the report need
ASSESS_MATURITY (see cx.roles); other roles get 403, and another organisation's
assessment is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cx.roles import Permission, permissions_of
from cx.staff import staff_membership
from maturity import report, selectors, services
from maturity.models import Assessment


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(
        request,
        permission=Permission.ASSESS_MATURITY
        if request.method == "POST"
        else Permission.VIEW_MATURITY,
    )
    organization = membership.organization
    if request.method == "POST":
        services.assessment_request(organization=organization, user=request.user)
        return redirect(request.path)
    assessments = list(selectors.assessments_of(organization=organization)[:24])
    rows = []
    for index, assessment in enumerate(assessments):
        earlier = next(
            (a for a in assessments[index + 1 :] if a.status == Assessment.Status.DONE),
            None,
        )
        change = (
            float(assessment.index) - float(earlier.index)
            if assessment.index is not None and earlier and earlier.index is not None
            else None
        )
        rows.append({"assessment": assessment, "change": change})
    context = {
        "organization": organization,
        "rows": rows,
        "may": permissions_of(membership.role),
    }
    return render(request, "maturity/page.html", context)


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.ASSESS_MATURITY)
    assessment = (
        Assessment.objects.for_organization(membership.organization)
        .filter(pk=pk, status=Assessment.Status.DONE)
        .select_related("organization")
        .first()
    )
    if assessment is None:
        raise Http404("No such finished assessment.")
    pdf = report.report_pdf(assessment=assessment, language=request.GET.get("lang"))
    response = HttpResponse(pdf, content_type="application/pdf")
    slug, day = assessment.organization.slug, f"{assessment.period_end:%Y-%m-%d}"
    response["Content-Disposition"] = (
        f'attachment; filename="cx-maturity-{slug}-{day}.pdf"'
    )
    return response
