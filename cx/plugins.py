"""The one kind of plug-in point: a setting naming callables by dotted path.

Every place where one app acts on another's moment (an event stored, a response
completed, a customer erased...) is a list in ``cx/settings.py`` under "Composition";
the app that owns the moment calls each callable it names, so it never imports the
apps that listen. ``docs/architecture.md`` lists them all in one table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def plugins(setting: str) -> tuple[Callable[..., Any], ...]:
    """Return the callables the dotted-path list ``setting`` names, in its order."""
    return tuple(import_string(path) for path in getattr(settings, setting, ()))


def email_tracking(sender: object, **kwargs: Any) -> None:
    """Hand django-anymail's ``tracking`` signal to ``CX_EMAIL_TRACKING_RECEIVERS``.

    The signal is the library's only way to report a provider's tracking webhook; cx
    connects it once, and the apps hear of it through the setting like any other moment.
    """
    for receiver in plugins("CX_EMAIL_TRACKING_RECEIVERS"):
        receiver(sender, **kwargs)
