"""Keep CDC's POA exempt list with an ICD-10-CM release: manage.py import_poa_exempt FILE --release FY2026"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codesets.models import CodeSetRelease
from codesets.parsers.records import CodeSetFormatError
from exercises.inpatient.poa_exempt import PoaExemptFileError, poa_exempt_import


class Command(BaseCommand):
    help = "Load the official POA exempt code list (POAexemptCodes<FY>.txt) for an ICD-10-CM release."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--release", required=True, help="the ICD-10-CM release label, e.g. FY2026")

    def handle(self, *args, file: Path, release: str, **options):
        found = CodeSetRelease.objects.filter(system="icd10cm", label=release).first()
        if found is None:
            raise CommandError(f"No ICD-10-CM release labelled {release!r}.")
        if not file.exists():
            raise CommandError(f"No file at {file}.")
        try:
            listed, known = poa_exempt_import(release=found, path=file)
        except (PoaExemptFileError, CodeSetFormatError) as exc:
            raise CommandError(f"{file.name} was not loaded: {exc}.") from exc
        self.stdout.write(self.style.SUCCESS(
            f"{found}: {listed:,} POA exempt codes kept ({known:,} of them in the release); inpatient key reviews "
            "use this list from now on."))
