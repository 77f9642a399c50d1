from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "cx.audit"
    label = "audit"
    # Folded into cx (it records access to cx's data and cx's services record through it);
    # the label keeps its migrations and its table audit_auditentry.
    verbose_name = _("Audit log")
    default_auto_field = "django.db.models.BigAutoField"
