"""Staff feedback review: the filtered list, and one response with tags, notes, timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.services import Action, Channel, Subject, audit_record
from cx.models import Segment, Touchpoint
from cx.roles import Permission, permissions_of
from cx.staff import staff_membership
from insights import feedback
from insights.models import Tag
from surveys.models import Response, Survey

PAGE_SIZE = 50


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    organization = staff_membership(
        request, permission=Permission.VIEW_FEEDBACK
    ).organization
    filters = feedback.FeedbackFilters.from_query(request.GET)
    responses = feedback.feedback_list(organization=organization, filters=filters)
    page = Paginator(responses, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "response": response,
            "headline": feedback.response_headline(response),
            "comment": feedback.comment_of(response),
            "tags": [tagged.tag.name for tagged in response.tagged.all()],
        }
        for response in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organization": organization,
        "filters": filters,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "surveys": Survey.objects.for_organization(organization).order_by("name"),
        "touchpoints": Touchpoint.objects.for_organization(organization).order_by(
            "journey__name", "position"
        ),
        "segments": Segment.objects.for_organization(organization).order_by("name"),
        "tags": Tag.objects.for_organization(organization),
    }
    return render(request, "insights/feedback_list.html", context)


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
                    response=response, author=request.user, text=request.POST["note"]
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
        "answers": response.answers.select_related("question").order_by(
            "question__position"
        ),
        "segments": response.segments.order_by("key"),
        "tags": [t.tag.name for t in response.tagged.select_related("tag")],
        "notes": response.notes.select_related("author"),
        "followup": getattr(response, "followup", None),
        "timeline": feedback.customer_timeline(
            organization=organization, customer=customer
        )
        if customer
        else [],
        "errors": errors,
        "may": permissions_of(membership.role),
    }
    status = 400 if errors else 200
    return render(request, "insights/feedback_detail.html", context, status=status)
