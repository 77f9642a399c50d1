from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from cx import demo
from cx.models import Organization
from cx.plugins import plugins
from cx.services.organizations import organization_create


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent: running it again changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when any organisation exists already",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Organization.objects.exists():
            self.stdout.write("Organisations exist; demo not loaded.")
            return
        organization = Organization.objects.filter(slug=demo.DEMO_SLUG).first()
        if organization is None:
            organization = organization_create(
                slug=demo.DEMO_SLUG, name="Demo Bank", default_language="fi"
            )
        steps = plugins("CX_DEMO_STEPS")
        with tqdm(total=len(steps), desc="Loading demo", unit="step") as bar:
            for step in steps:
                step(organization, bar.set_postfix_str)
                bar.update(1)

        self.stdout.write(
            self.style.SUCCESS(f"Demo organisation '{organization.slug}' ready.")
        )
        self.stdout.write(f"Staff logins (password for all: {demo.DEMO_PASSWORD}):")
        for login in demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<8} {login.role.label}")
