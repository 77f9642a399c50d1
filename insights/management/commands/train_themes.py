"""Learn each organisation's comment themes and sentiment now, and print the figures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cx.models import Organization
from insights.text import services
from insights.text.demo import summary


class Command(BaseCommand):
    help = "Learn the comment themes and sentiment of every (or one) organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="the organisation's slug (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.order_by("slug")
        if options["org"]:
            organizations = organizations.filter(slug=options["org"])
        for organization in organizations:
            text_model = services.text_model_train(organization=organization)
            if text_model is None:
                self.stdout.write(f"{organization.slug}: a training is under way")
                continue
            self.stdout.write(
                f"{organization.slug}: {text_model.comments} comments, "
                f"{text_model.topics} themes, {summary(text_model)}"
            )
