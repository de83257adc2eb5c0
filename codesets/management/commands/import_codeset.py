"""manage.py import_codeset --system icd10cm PATH [--order-file PATH] --label FY2026 --effective 2025-10-01 [--activate]"""

from __future__ import annotations

import datetime
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from codesets.services import CodeSetImportError, release_import


class Command(BaseCommand):
    help = "Import a code-set release (ICD-10-CM Tabular XML or order file, HCPCS Level II, CPT) and show what changed."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The release file: Tabular XML or order file (icd10cm), tables XML or order file (icd10pcs), fixed-width or CSV (hcpcs), CSV/tab (cpt)")
        parser.add_argument("--system", required=True, choices=["icd10cm", "hcpcs", "cpt", "icd10pcs"])
        parser.add_argument("--label", required=True, help="e.g. FY2026 or 2026-Q2")
        parser.add_argument("--effective", required=True, help="First day the release applies, YYYY-MM-DD")
        parser.add_argument("--order-file", dest="order_file", help="ICD-10-CM order file; its billable flags and short titles win")
        parser.add_argument("--activate", action="store_true", help="Make the release current once imported")
        parser.add_argument("--licensed", action="store_true", help="CPT only: the file is the school's licensed AMA data file")

    def handle(self, *args, **options):
        try:
            effective = datetime.date.fromisoformat(options["effective"])
        except ValueError:
            raise CommandError("--effective must be a date like 2025-10-01") from None
        started = time.monotonic()
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False

        def echo(percent: int, message: str) -> None:
            bar = "#" * (percent // 5) + "-" * (20 - percent // 5)
            line = f"[{bar}] {percent:3d}%  {message}"
            if interactive:
                sys.stdout.write("\r" + line.ljust(100))
                sys.stdout.flush()
            else:
                self.stdout.write(line)

        try:
            outcome = release_import(
                system=options["system"],
                path=options["path"],
                order_path=options["order_file"],
                label=options["label"],
                effective_from=effective,
                activate=options["activate"],
                descriptors_are_licensed=options["licensed"],
                echo=echo,
            )
        except CodeSetImportError as exc:
            if interactive:
                self.stdout.write("")
            raise CommandError(exc.message) from None
        if interactive:
            self.stdout.write("")
        release = outcome.release
        if not outcome.created:
            self.stdout.write(self.style.WARNING(outcome.message))
        else:
            self.stdout.write(self.style.SUCCESS(f"{release}: {release.progress_message} in {time.monotonic() - started:.1f} s"))
            for warning in outcome.warnings:
                self.stdout.write(self.style.WARNING(warning))
        if release.previous_release_id:
            counts = {kind: release.changes.filter(kind=kind).count() for kind in ("added", "deleted", "revised")}
            self.stdout.write(
                f"Changes against {release.previous_release.label}: {counts['added']} added, {counts['deleted']} deleted, {counts['revised']} revised"
            )
        self.stdout.write(f"Current release: {'yes' if release.is_current else 'no (make it current on the Code sets page or with --activate)'}")
