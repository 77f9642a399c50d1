from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PredictionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "predictions"
    verbose_name = _("Predictions")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from threadpoolctl import threadpool_limits

        # One OpenMP thread for the models' predictions in this process: scoring one
        # customer is a few rows, and OpenMP's spinning threads cost tens of
        # milliseconds on a machine whose cores serve web and worker processes too.
        threadpool_limits(limits=1, user_api="openmp")

        from cx.versioning import on_post_migrate

        # The current models per organisation, compiled once per config version (see
        # cx/versioning.py), so an event costs no query to learn there are none.
        post_migrate.connect(
            on_post_migrate(
                ["predictions_predictiondefinition", "predictions_modelversion"],
                via_rule=[],
            ),
            sender=self,
            dispatch_uid="predictions.config_version",
            weak=False,
        )
