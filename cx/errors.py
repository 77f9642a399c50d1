"""The product's own 403, 404 and 500 pages (``handler403/404/500`` in ``cx.urls``).

403 and 404 show the staff navigation to a logged-in member; a visitor without a
membership (a customer who mistyped a survey link) gets the customers' plain look and
no staff links. 500 renders a standalone page from the template alone: no database, no
context processors, no static-file manifest — whatever broke must not break it again.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from cx.api.errors import problem_response
from cx.chrome import StaffChrome, who_may
from cx.roles import Permission

logger = logging.getLogger(__name__)

PUBLIC_BASE = "surveys/public_base.html"
# Customers' pages: their 500 offers no way into the staff pages.
PUBLIC_PREFIXES = ("/s/", "/p/")
STAFF_BASE = "staff/base.html"


def _base_template(request: HttpRequest) -> str:
    return STAFF_BASE if StaffChrome(request).membership else PUBLIC_BASE


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Say who may open the page and lead back to the dashboard."""
    permission = getattr(exception, "permission", None)
    context = {
        "base_template": _base_template(request),
        "who_may": who_may(permission) if isinstance(permission, Permission) else "",
    }
    return render(request, "errors/403.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Say the page is not here, with the navigation for a logged-in member.

    Under ``/api/`` the answer is the API's problem details, not a page.
    """
    if request.path.startswith("/api/"):
        return problem_response(404, "Not found.")
    context = {"base_template": _base_template(request)}
    return render(request, "errors/404.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Apologise on a page that needs nothing but the template."""
    try:
        html = loader.get_template("errors/500.html").render(
            {"staff_page": not request.path.startswith(PUBLIC_PREFIXES)}
        )
    except Exception:  # the last resort must not fail
        logger.exception("The 500 page could not be rendered.")
        html = "<!doctype html><title>Server error</title><h1>Server error</h1>"
    return HttpResponseServerError(html)
