from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cx.models import Organization
from surveys.library import TEMPLATES, template_spec
from surveys.models import Survey
from surveys.services.surveys import survey_save


class Command(BaseCommand):
    help = "Create a survey from a template (employee pulse, leadership) for an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--template", required=True, choices=sorted(TEMPLATES))

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {options['org']!r}.")
        spec = template_spec(options["template"])
        questions = spec.pop("questions")
        existing = (
            Survey.objects.for_organization(organization)
            .filter(name=spec["name"])
            .first()
        )
        survey = survey_save(
            organization=organization, fields=spec, questions=questions, survey=existing
        )
        if not survey.public_token:
            survey.public_token = secrets.token_urlsafe(16)
            survey.save(update_fields=["public_token"])
        self.stdout.write(
            f"Survey '{survey.name}' ({survey.pk}) is ready for {organization.slug}."
        )
