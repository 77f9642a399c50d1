from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cx.services.organizations import organization_create


class Command(BaseCommand):
    help = "Create an organisation (a tenant)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="short unique name used in URLs and commands")
        parser.add_argument(
            "--name", required=True, help="the organisation's display name"
        )
        parser.add_argument("--timezone", default="Europe/Helsinki")
        parser.add_argument("--language", default="fi", choices=["fi", "sv", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = organization_create(
                slug=options["slug"],
                name=options["name"],
                timezone=options["timezone"],
                default_language=options["language"],
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()
            )
            raise CommandError(problems) from None
        self.stdout.write(
            f"Created organisation {organization.slug} ({organization.name})."
        )
