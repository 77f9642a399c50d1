"""One-click unsubscribe (RFC 8058): a GET shows a button, a POST opts the customer out.

Email security scanners fetch every link in a message, so a GET never changes anything.
Mail clients that honour ``List-Unsubscribe-Post`` POST to the same URL without a CSRF
token, so the POST is exempt: the unguessable token in the URL is the authority.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cx.services.customers import customer_update
from surveys.views.public import invitation_for, language_of


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for(token)
    with translation.override(language_of(request, invitation)):
        if invitation is None or invitation.customer is None:
            return render(request, "surveys/answer/unknown.html", status=404)
        context = {"organization": invitation.organization}
        if request.method == "POST":
            customer_update(customer=invitation.customer, opted_out=True)
            return render(request, "surveys/unsubscribe_done.html", context)
        return render(request, "surveys/unsubscribe_confirm.html", context)
