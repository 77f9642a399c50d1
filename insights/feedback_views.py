"""Staff feedback review: the filtered list, and one response with tags, notes, timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cx.audit.services import Action, Channel, Subject, audit_record
from cx.digits import as_id
from cx.models import Journey, Organization, Segment, Touchpoint
from cx.roles import Permission, permissions_of
from cx.staff import CarriedFilter, carried_filter, signed_in_user, staff_membership
from followups.rules import reason_text
from insights import delivery, feedback
from insights.models import Tag
from insights.text.selectors import themes_of
from insights.text.views import SENTIMENT_CHOICES
from surveys import presentation
from surveys.models import Response, Suppression, Survey
from surveys.timeline import customer_timeline

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def feedback_list(request: HttpRequest) -> HttpResponse:
    # Reading needs VIEW_FEEDBACK; bulk tagging (the post), ANNOTATE_FEEDBACK.
    membership = staff_membership(
        request,
        permission=Permission.ANNOTATE_FEEDBACK
        if request.method == "POST"
        else Permission.VIEW_FEEDBACK,
    )
    organization = membership.organization
    errors: dict[str, list[str]] = {}
    if request.method == "POST":  # bulk tag the ticked responses
        ids = [
            pk for pk in map(as_id, request.POST.getlist("response")) if pk is not None
        ]
        try:
            feedback.responses_tag(
                organization=organization,
                response_ids=ids,
                name=request.POST.get("bulk_tag", ""),
            )
            return redirect(f"{request.path}?{request.GET.urlencode()}")
        except ValidationError as error:
            errors = error.message_dict
    filters = feedback.FeedbackFilters.from_query(request.GET)
    responses = feedback.feedback_list(organization=organization, filters=filters)
    page = Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for response in page:
        shown = presentation.response_answers(response)
        scores = presentation.scores_of(shown)
        rows.append(
            {
                "response": response,
                "scores": scores,
                "comments": presentation.comments_of(shown),
                "category": presentation.headline_category(scores),
                "tags": [tagged.tag.name for tagged in response.tagged.all()],
                "themes": [tagged.theme for tagged in response.comment_themes.all()],
                "analysis": getattr(response, "comment_analysis", None),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organization": organization,
        "filters": filters,
        "score_filters": [
            {
                "metric": metric,
                "label": metric.upper(),
                "low": low,
                "high": high,
                "min": filters.score(metric, "min"),
                "max": filters.score(metric, "max"),
            }
            for metric, (low, high) in feedback.SCORE_RANGES.items()
        ],
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "carried": _carried(request.GET, filters, organization),
        "errors": errors,
        "surveys": Survey.objects.for_organization(organization).order_by("name"),
        "touchpoints": Touchpoint.objects.for_organization(organization).order_by(
            "journey__name", "position"
        ),
        "segments": Segment.objects.for_organization(organization).order_by("name"),
        "tags": Tag.objects.for_organization(organization),
        "themes": themes_of(organization),
        "sentiments": SENTIMENT_CHOICES,
        "may": permissions_of(membership.role),
    }
    status = 400 if errors else 200
    return render(request, "insights/feedback_list.html", context, status=status)


def _metric_label(metric: str) -> str:
    if metric == "response_rate":
        return _("Invitations sent in these dates (response rate)")
    if metric == "answered":
        return _("Invitations for these dates' events (the funnel)")
    return _("Answered the %(metric)s question") % {"metric": metric.upper()}


def _carried(
    query: QueryDict, filters: feedback.FeedbackFilters, organization: Organization
) -> list[CarriedFilter]:
    """The filters from the dashboard's links that the form does not show."""
    carried = []
    if filters.metric:
        carried.append(
            carried_filter(
                query,
                label=_metric_label(filters.metric),
                fields={"metric": filters.metric},
            )
        )
    if filters.journey is not None:
        journey = (
            Journey.objects.for_organization(organization)
            .filter(pk=filters.journey)
            .first()
        )
        carried.append(
            carried_filter(
                query,
                label=_("Journey: %(name)s")
                % {"name": journey.name if journey else "–"},
                fields={"journey": str(filters.journey)},
            )
        )
    if filters.score_max is not None:
        carried.append(
            carried_filter(
                query,
                label=_("Any score at most %(n)s") % {"n": filters.score_max},
                fields={"score_max": str(filters.score_max)},
            )
        )
    return carried


@login_required
@require_http_methods(["GET", "POST"])
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Reading needs VIEW_FEEDBACK; a note or a tag (the posts), ANNOTATE_FEEDBACK.
    membership = staff_membership(
        request,
        permission=Permission.ANNOTATE_FEEDBACK
        if request.method == "POST"
        else Permission.VIEW_FEEDBACK,
    )
    organization = membership.organization
    response = (
        Response.objects.for_organization(organization)
        .select_related("survey", "touchpoint", "journey", "process", "customer")
        .filter(pk=pk)
        .first()
    )
    if response is None:
        raise Http404("No such response.")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if "note" in request.POST:
                feedback.response_note_add(
                    response=response,
                    author=signed_in_user(request),
                    text=request.POST["note"],
                )
            else:
                feedback.response_tag(
                    response=response,
                    name=request.POST.get("tag", ""),
                    remove=request.POST.get("remove") == "1",
                )
            return redirect(request.path)
        except ValidationError as error:
            errors = error.message_dict
    customer = None if response.is_anonymous else response.customer
    followup = getattr(response, "followup", None)
    audit_record(
        request=request,
        organization=organization,
        channel=Channel.STAFF,
        action=Action.VIEWED,
        subject=Subject.RESPONSE,
        subject_id=response.pk,
    )
    context = {
        "organization": organization,
        "response": response,
        "shown": presentation.response_answers(
            response, response.answers.select_related("question")
        ),
        "followup_reason": reason_text(followup.reason) if followup else "",
        "segments": response.segments.order_by("key"),
        "tags": [t.tag.name for t in response.tagged.select_related("tag")],
        "themes": [t.theme for t in response.comment_themes.select_related("theme")],
        "analysis": getattr(response, "comment_analysis", None),
        "notes": response.notes.select_related("author"),
        "followup": followup,
        "timeline": customer_timeline(organization=organization, customer=customer)
        if customer
        else [],
        "errors": errors,
        "may": permissions_of(membership.role),
    }
    status = 400 if errors else 200
    return render(request, "insights/feedback_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def delivery_list(request: HttpRequest) -> HttpResponse:
    """List the events, invitations or suppressions behind the dashboard's funnel."""
    membership = staff_membership(request, permission=Permission.VIEW_FEEDBACK)
    organization = membership.organization
    filters = delivery.DeliveryFilters.from_query(request.GET)
    rows = delivery.delivery_rows(organization=organization, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    kinds = request.GET.copy()
    for name in ("kind", "page", "step", "reason"):
        kinds.pop(name, None)
    context = {
        "organization": organization,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "kind_query": kinds.urlencode(),
        "kinds": [
            ("events", _("Events")),
            ("invitations", _("Invitations")),
            ("suppressions", _("Not invited")),
        ],
        "steps": list(delivery.STEPS.items()),
        "reasons": Suppression.Reason.choices,
        "journeys": Journey.objects.for_organization(organization).order_by("name"),
        "touchpoints": Touchpoint.objects.for_organization(organization).order_by(
            "journey__name", "position"
        ),
    }
    return render(request, "insights/delivery_list.html", context)
