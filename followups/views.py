"""The staff follow-up queue and a case's page: read it, take it, close it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cx.audit.services import Action, Channel, Subject, audit_record
from cx.digits import as_id
from cx.models import Journey, Touchpoint
from cx.roles import Permission, permissions_of
from cx.staff import CarriedFilter, carried_filter, signed_in_user, staff_membership
from followups import selectors, services
from followups.models import FollowUp, RootCause
from followups.rules import reason_text
from surveys import presentation
from surveys.timeline import customer_timeline


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.VIEW_FEEDBACK)
    organization = membership.organization
    filters = selectors.QueueFilters.from_query(request.GET)
    cases = selectors.followup_queue(
        organization=organization,
        state=filters.state,
        mine_of=signed_in_user(request) if filters.mine else None,
        filters=filters,
    )[:200]
    context = {
        "organization": organization,
        "rows": selectors.queue_rows(list(cases)),
        "filters": filters,
        "state": filters.state,
        "mine": filters.mine,
        "states": [
            ("unresolved", _("Unresolved")),
            *FollowUp.State.choices,
            ("recovery_sent", _("Recovery survey sent")),
            ("recovered", _("Recovered")),
            ("all", _("All")),
        ],
        "sorts": selectors.SORT_LABELS.items(),
        "touchpoints": Touchpoint.objects.for_organization(organization)
        .select_related("journey")
        .order_by("journey__name", "position"),
        "journeys": Journey.objects.for_organization(organization).order_by("name"),
        "counts": selectors.followup_counts(organization=organization),
        "may": permissions_of(membership.role),
        "carried": _carried(request.GET, filters),
    }
    return render(request, "followups/queue.html", context)


def _carried(query: QueryDict, filters: selectors.QueueFilters) -> list[CarriedFilter]:
    """The dashboard's opening dates, which the queue's form does not show."""
    if filters.since is None and filters.until is None:
        return []
    shown = {
        key: formats.date_format(day, "SHORT_DATE_FORMAT") if day else "…"
        for key, day in (("since", filters.since), ("until", filters.until))
    }
    fields = {
        key: day.isoformat()
        for key, day in (("since", filters.since), ("until", filters.until))
        if day is not None
    }
    label = _("Opened %(since)s – %(until)s") % shown
    return [carried_filter(query, label=str(label), fields=fields)]


def _act(request: HttpRequest, followup: FollowUp) -> HttpResponse | None:
    """Do what the posted form asks; return the redirect, or None to show errors."""
    action = request.POST.get("action")
    if action == "start":
        services.followup_start(followup=followup, user=signed_in_user(request))
    elif action == "reassign":
        owner = request.POST.get("owner", "")
        services.followup_reassign(
            followup=followup,
            user=signed_in_user(request),
            owner_id=as_id(owner) or 0,
        )
    elif action == "note":
        services.followup_note_add(
            followup=followup,
            user=signed_in_user(request),
            text=request.POST.get("note", ""),
        )
    else:
        services.followup_close(
            followup=followup,
            user=signed_in_user(request),
            root_cause=request.POST.get("root_cause", ""),
            action_taken=request.POST.get("action_taken", ""),
            send_recovery_survey=request.POST.get("recovery") == "1",
        )
        return redirect("followups:queue")
    return redirect(request.get_full_path())


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Reading a case needs VIEW_FEEDBACK; working it (start, reassign, note, close),
    # WORK_CASES.
    membership = staff_membership(
        request,
        permission=Permission.WORK_CASES
        if request.method == "POST"
        else Permission.VIEW_FEEDBACK,
    )
    followup = (
        FollowUp.objects.for_organization(membership.organization)
        .select_related("response__survey", "customer", "touchpoint", "owner")
        .filter(pk=pk)
        .first()
    )
    if followup is None:
        raise Http404("No such case.")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            done = _act(request, followup)
            if done is not None:
                return done
        except ValidationError as error:
            errors = error.message_dict
    audit_record(
        request=request,
        organization=membership.organization,
        channel=Channel.STAFF,
        action=Action.VIEWED,
        subject=Subject.FOLLOWUP,
        subject_id=followup.pk,
    )
    response = followup.response
    customer = None if response.is_anonymous else followup.customer
    context = {
        "organization": membership.organization,
        "followup": followup,
        "reason": reason_text(followup.reason),
        "response": response,
        "shown": presentation.response_answers(
            response, response.answers.select_related("question")
        ),
        "customer": customer,
        "timeline": customer_timeline(
            organization=membership.organization, customer=customer, limit=20
        )
        if customer
        else [],
        "activities": followup.activities.select_related("actor", "owner"),
        "colleagues": selectors.colleagues(organization=membership.organization),
        "root_causes": RootCause.choices,
        "errors": errors,
        "posted": request.POST,
        "may_act": Permission.WORK_CASES in permissions_of(membership.role),
        "may": permissions_of(membership.role),
        "recovery_possible": services.followup_policy(
            organization=membership.organization
        ).recovery_survey_id
        is not None,
    }
    status = 400 if errors else 200
    return render(request, "followups/detail.html", context, status=status)
