"""Keep a CMS MS-DRG Table 5 (relative weights) for a fiscal year: manage.py import_drg_weights FILE [--year 2027]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.inpatient.weights import WeightsError, weights_import


class Command(BaseCommand):
    help = "Check a CMS MS-DRG Table 5 file (tab separated) and use it for its fiscal year's payments."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, default=None, help="fiscal year, when the file's title names none")

    def handle(self, *args, file: Path, year: int | None, **options):
        if not file.exists():
            raise CommandError(f"No file at {file}.")
        try:
            fiscal_year, count = weights_import(source=file, fiscal_year=year)
        except (WeightsError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file.name} was not imported: {exc}.") from exc
        self.stdout.write(self.style.SUCCESS(f"FY{fiscal_year}: {count} weighted MS-DRGs kept; inpatient results "
                                             f"graded from now on show payments for FY{fiscal_year}."))
