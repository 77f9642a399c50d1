from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CxConfig(AppConfig):
    name = "cx"
    verbose_name = _("Customer experience")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anymail.signals import tracking
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate, pre_migrate

        from cx.login_language import on_user_logged_in
        from cx.plugins import email_tracking
        from cx.versioning import bump_triggers_drop_sqlite, on_post_migrate

        # What event ingestion compiles per organisation (see cx/versioning.py).
        pre_migrate.connect(
            bump_triggers_drop_sqlite, dispatch_uid="cx.config_version.drop", weak=False
        )
        post_migrate.connect(
            on_post_migrate(
                ["cx_journey", "cx_touchpoint", "cx_touchpointeventtype", "cx_segment"]
            ),
            sender=self,
            dispatch_uid="cx.config_version",
            weak=False,
        )
        # Pages in the member's saved language once they log in (cx/login_language.py).
        user_logged_in.connect(
            on_user_logged_in, dispatch_uid="cx.login_language", weak=False
        )
        # Email providers' tracking webhooks, to CX_EMAIL_TRACKING_RECEIVERS (cx/plugins.py).
        tracking.connect(email_tracking, dispatch_uid="cx.email_tracking", weak=False)
