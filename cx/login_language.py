"""Pages in the member's saved language from the moment they log in.

The header's EN/FI/SV switch saves the choice on the member's memberships
(``Membership.language``, :func:`cx.services.memberships.member_language_choose`) and
sets the language cookie of that browser. On another browser, or after the cookie is
gone, logging in restores it: the login's response (the redirect to the page
asked for) sets the cookie, so every page that follows is in it. A member without a
saved language keeps what the browser asked for. Nothing is activated in the login
request itself, so a test's ``force_login`` cannot switch the test's own language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

from cx.selectors import member_language_saved

_ATTRIBUTE = "_cx_login_language"


def on_user_logged_in(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Mark the login's request with the member's saved language, if any."""
    if request is None:
        return
    language = member_language_saved(user_id=user.pk)
    if language:
        setattr(request, _ATTRIBUTE, language)


class LoginLanguageMiddleware:
    """Set the language cookie on the response of a login that restored a language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, _ATTRIBUTE, "")
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
