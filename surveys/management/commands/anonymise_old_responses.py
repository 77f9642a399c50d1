"""Anonymise responses past their organisation's retention period, now (beat does it daily).

``--dry-run`` runs the same statements and rolls them back, printing exact counts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cx.models import Organization
from surveys.services.retention import months_before, organization_responses_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise responses older than each organisation's retention period and "
        "print what changed per organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what would change, change nothing",
        )
        parser.add_argument("--org", help="only this organisation (its slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.filter(response_retention_months__gt=0)
        if options["org"]:
            if not Organization.objects.filter(slug=options["org"]).exists():
                raise CommandError(f"No organisation with slug {options['org']!r}.")
            organizations = organizations.filter(slug=options["org"])
        dry_run: bool = options["dry_run"]
        now = timezone.now()
        done = 0
        for organization in organizations.order_by("slug"):
            months = organization.response_retention_months or 0
            counts = organization_responses_anonymise(
                organization=organization, now=now, dry_run=dry_run
            )
            summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
            self.stdout.write(
                f"{organization.slug}: {months} months, before "
                f"{months_before(now, months):%Y-%m-%d}: {summary}"
            )
            done += 1
        if not done:
            self.stdout.write("No organisation has a retention period set.")
        elif dry_run:
            self.stdout.write("Dry run: nothing was changed.")
