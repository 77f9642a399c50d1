"""Plain HTTP views of the core: the site's root and the health check."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from cx import health
from cx.models import Language
from cx.services.memberships import member_language_choose


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Return 200 when the database and the broker answer, else 503 naming what is down."""
    checks = {"database": health.database_state(), "broker": health.broker_state()}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status=200 if healthy else 503,
    )


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponseRedirect:
    """Send staff to the dashboard, through the login page when logged out.

    Customers never come here: their links open answer pages (``/s/<token>/``).
    """
    dashboard = reverse("insights:dashboard")
    if not request.user.is_authenticated:
        return redirect_to_login(dashboard)
    return HttpResponseRedirect(dashboard)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language, and a logged-in member's emails with it.

    Django's ``set_language`` sets the cookie and redirects; a member's choice is also
    saved on each of their memberships, so case alerts and reminders come in it.
    """
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        member_language_choose(user=request.user, language=language)
    return response
