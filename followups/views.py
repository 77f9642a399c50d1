"""The staff follow-up queue and a case's page: read it, take it, close it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from audit.services import Action, Channel, Subject, audit_record
from cx.models import Membership, Role
from cx.staff import staff_membership
from followups import selectors, services
from followups.models import FollowUp, RootCause

ACTORS = (Role.OWNER, Role.CX_MANAGER)


def _may_act(membership: Membership, followup: FollowUp) -> bool:
    return membership.role in ACTORS or followup.owner_id == membership.user_id


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(request)
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
    }
    return render(request, "followups/queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = staff_membership(request)
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
        if not _may_act(membership, followup):
            raise PermissionDenied("Only owners, CX managers and the case's owner act.")
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
        "may_act": _may_act(membership, followup),
        "recovery_possible": services.followup_policy(
            organization=membership.organization
        ).recovery_survey_id
        is not None,
    }
    status = 400 if errors else 200
    return render(request, "followups/detail.html", context, status=status)
