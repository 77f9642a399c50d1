from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CxConfig(AppConfig):
    name = "cx"
    verbose_name = _("Customer experience")
    default_auto_field = "django.db.models.BigAutoField"
