"""Import past survey results from a CSV file (e.g. last year's anonymous survey).

Columns: ``completed_at`` (ISO 8601), and optionally ``external_id`` (your own id of
the response: a file imported again stores it once), ``origin`` (periodic, event,
public_link), ``anonymous`` (yes/no; empty: anonymous exactly when no customer is
named), ``customer`` (external id; created if unknown), ``touchpoint`` (name),
``language``; every other column is a question key of the survey, holding the answer
(choice keys of a multiple-choice question separated by ``|``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from tqdm import tqdm

from cx.models import Organization, Touchpoint
from surveys.models import Survey
from surveys.services.imports import (
    ImportConflict,
    ImportedResponse,
    RowStatus,
    responses_import,
)

META_COLUMNS = {
    "completed_at",
    "external_id",
    "origin",
    "anonymous",
    "customer",
    "touchpoint",
    "language",
}
CHUNK = 1000


class Command(BaseCommand):
    help = "Import historical survey responses from a CSV file, keeping their origin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--survey", required=True, help="the survey's name")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {options['org']!r}.")
        survey = (
            Survey.objects.for_organization(organization)
            .filter(name=options["survey"])
            .first()
        )
        if survey is None:
            raise CommandError(
                f"No survey named {options['survey']!r} in {organization.slug}."
            )
        path: Path = options["csv_file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        touchpoints = dict(
            Touchpoint.objects.for_organization(organization).values_list("name", "pk")
        )
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        if rows and "completed_at" not in rows[0]:
            raise CommandError("The CSV needs a 'completed_at' column.")

        imported = rejected = duplicates = 0
        with tqdm(total=len(rows), desc="Importing", unit="row") as progress:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                parsed, problems = self._parse(chunk, start, touchpoints)
                try:
                    outcome = responses_import(
                        organization=organization,
                        survey=survey,
                        rows=[response for _, response in parsed],
                    )
                except ImportConflict as error:
                    raise CommandError(
                        "Another import stored some of these rows meanwhile; "
                        "run the command again."
                    ) from error
                imported += outcome.imported
                duplicates += outcome.count(RowStatus.ALREADY_STORED)
                for index, errors in outcome.errors.items():
                    problems[parsed[index][0]] = str(errors)
                rejected += len(problems)
                for line, problem in sorted(problems.items()):
                    self.stderr.write(f"row {line + 2}: {problem}")
                progress.update(len(chunk))
        before = f" {duplicates} were stored before." if duplicates else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {imported} responses; rejected {rejected}.{before}"
            )
        )

    @staticmethod
    def _parse(
        chunk: list[dict[str, str]], start: int, touchpoints: dict[str, int]
    ) -> tuple[list[tuple[int, ImportedResponse]], dict[int, str]]:
        """Return (row number, parsed row) pairs and the rows that could not be read."""
        parsed: list[tuple[int, ImportedResponse]] = []
        problems: dict[int, str] = {}
        for offset, row in enumerate(chunk):
            moment = parse_datetime((row.get("completed_at") or "").strip())
            if moment is None:
                problems[start + offset] = (
                    f"completed_at {row.get('completed_at')!r} is not a date"
                )
                continue
            touchpoint_name = (row.get("touchpoint") or "").strip()
            if touchpoint_name and touchpoint_name not in touchpoints:
                problems[start + offset] = f"no touchpoint named {touchpoint_name!r}"
                continue
            parsed.append(
                (
                    start + offset,
                    ImportedResponse(
                        completed_at=make_aware(moment) if is_naive(moment) else moment,
                        answers={
                            k: v
                            for k, v in row.items()
                            if k not in META_COLUMNS and v != ""
                        },
                        origin=(row.get("origin") or "periodic").strip(),
                        anonymous=_flag(row.get("anonymous") or ""),
                        customer_external_id=(row.get("customer") or "").strip(),
                        touchpoint_id=touchpoints.get(touchpoint_name),
                        language=(row.get("language") or "").strip(),
                        external_id=(row.get("external_id") or "").strip(),
                    ),
                )
            )
        return parsed, problems


def _flag(text: str) -> bool | None:
    """Return yes/no as a boolean, or None when the cell is empty."""
    text = text.strip().lower()
    return text in {"yes", "true", "1"} if text else None
