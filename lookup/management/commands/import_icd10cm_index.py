"""manage.py import_icd10cm_index PATH [PATH ...] --release <id|label>"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from codesets.models import CodeSetRelease, CodeSystem
from lookup.services.index_import import IndexImportError, index_files_import


class Command(BaseCommand):
    help = (
        "Import the CMS ICD-10-CM Alphabetic Index files into an ICD-10-CM release: the Index, the External "
        "Cause Index, the Neoplasm Table and the Table of Drugs, alone or together (each replaces its table)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="path",
            help="Index XML files, e.g. icd10cm_index_2026.xml icd10cm_eindex_2026.xml "
                 "icd10cm_neoplasm_2026.xml icd10cm_drug_2026.xml",
        )
        parser.add_argument("--release", required=True, help="Release id or label (e.g. 42 or FY2026)")

    def handle(self, *args, paths: list[str], release: str, **options):
        releases = CodeSetRelease.objects.filter(system=CodeSystem.ICD10CM)
        found = releases.filter(pk=int(release)).first() if release.isdigit() else None
        found = found or releases.filter(label=release).first()
        if found is None:
            labels = ", ".join(f"{r.pk} ({r.label})" for r in releases[:10]) or "none"
            raise CommandError(f"No ICD-10-CM release {release!r}. Known releases: {labels}.")
        try:
            outcomes = index_files_import(release=found, paths=paths)
        except IndexImportError as exc:
            raise CommandError(str(exc)) from None
        for outcome in outcomes:
            if not outcome.created:
                self.stdout.write(f"{found}: {outcome.file_name} ({outcome.table_name}) is already imported "
                                  f"({outcome.term_count:,} terms); nothing to do.")
                continue
            for warning in outcome.warnings[:20]:
                self.stdout.write(self.style.WARNING(f"warning: {outcome.file_name}: {warning}"))
            if outcome.unknown_codes:
                shown = ", ".join(outcome.unknown_codes[:20])
                self.stdout.write(self.style.WARNING(
                    f"{len(outcome.unknown_codes)} codes named in {outcome.file_name} are not in {found}: {shown}"
                ))
            self.stdout.write(self.style.SUCCESS(
                f"{found}: imported {outcome.term_count:,} terms of the {outcome.table_name} "
                f"({outcome.coded_count:,} with a code) from {outcome.file_name}. Search uses them from now on."
            ))
