from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys and feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cx.versioning import on_post_migrate

        # The trigger set compiled per organisation (see cx/versioning.py).
        post_migrate.connect(
            on_post_migrate(
                ["surveys_triggerrule", "surveys_survey", "surveys_contactpolicy"],
                via_rule=[
                    "surveys_triggerrule_segments_all",
                    "surveys_triggerrule_segments_none",
                ],
            ),
            sender=self,
            dispatch_uid="surveys.config_version",
            weak=False,
        )
