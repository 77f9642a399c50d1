from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cx.audit.models import Channel
from cx.models import Organization
from cx.roles import DEFAULT_SCOPE, SCOPE_LABELS, Scope
from cx.services.api_keys import api_key_issue


class Command(BaseCommand):
    help = (
        "Issue an API key for an organisation. The key is printed once, as the last "
        "line; the line before it says which scopes the key holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--name", default="default", help="what the key is for")
        parser.add_argument(
            "--scope",
            action="append",
            choices=[scope.value for scope in Scope],
            help=(
                "what the key may do; repeat for more than one: "
                + "; ".join(f"{scope} = {SCOPE_LABELS[scope]}" for scope in Scope)
                + f" (default {DEFAULT_SCOPE})"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {options['org']!r}.")
        issued = api_key_issue(
            organization=organization,
            name=options["name"],
            scopes=options["scope"] or [DEFAULT_SCOPE],
            by=None,
            channel=Channel.COMMAND,
        )
        self.stdout.write(
            f"API key '{issued.api_key.name}' for {organization.slug} with the scopes "
            f"{', '.join(issued.api_key.scope_list)}. "
            "Store it now; it cannot be shown again:"
        )
        self.stdout.write(issued.secret_key)
