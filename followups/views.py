"""The staff follow-up queue and a case's page: read it, take it, close it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from audit.services import Action, Channel, Subject, audit_record
from cx.roles import Permission, permissions_of
from cx.staff import staff_membership
from followups import selectors, services
from followups.models import FollowUp, RootCause


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.VIEW_FEEDBACK)
    organization = membership.organization
    state = request.GET.get("state", "unresolved")
    mine = request.GET.get("mine") == "1"
    cases = selectors.followup_queue(
        organization=organization,
        state=state,
        mine_of=request.user if mine else None,
    )[:200]
    context = {
        "organization": organization,
        "cases": cases,
        "state": state,
        "mine": mine,
        "states": [("unresolved", _("Unresolved")), *FollowUp.State.choices],
        "counts": selectors.followup_counts(organization=organization),
        "may": permissions_of(membership.role),
    }
    return render(request, "followups/queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Reading a case needs VIEW_FEEDBACK; starting or closing it, WORK_CASES.
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
        if request.POST.get("action") == "start":
            services.followup_start(followup=followup, user=request.user)
            return redirect(request.get_full_path())
        try:
            services.followup_close(
                followup=followup,
                user=request.user,
                root_cause=request.POST.get("root_cause", ""),
                action_taken=request.POST.get("action_taken", ""),
                send_recovery_survey=request.POST.get("recovery") == "1",
            )
            return redirect("followups:queue")
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
    answers = followup.response.answers.select_related("question").order_by(
        "question__position"
    )
    context = {
        "organization": membership.organization,
        "followup": followup,
        "answers": answers,
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
