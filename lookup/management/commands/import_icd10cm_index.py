"""manage.py import_icd10cm_index PATH --release <id|label>"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from codesets.models import CodeSetRelease, CodeSystem
from lookup.services.index_import import IndexImportError, index_import


class Command(BaseCommand):
    help = "Import the CMS ICD-10-CM Alphabetic Index XML into an ICD-10-CM release (replaces its Index terms)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The Index XML file, e.g. icd10cm_index_2026.xml")
        parser.add_argument("--release", required=True, help="Release id or label (e.g. 42 or FY2026)")

    def handle(self, *args, path: str, release: str, **options):
        releases = CodeSetRelease.objects.filter(system=CodeSystem.ICD10CM)
        found = releases.filter(pk=int(release)).first() if release.isdigit() else None
        found = found or releases.filter(label=release).first()
        if found is None:
            labels = ", ".join(f"{r.pk} ({r.label})" for r in releases[:10]) or "none"
            raise CommandError(f"No ICD-10-CM release {release!r}. Known releases: {labels}.")
        try:
            outcome = index_import(release=found, path=path)
        except IndexImportError as exc:
            raise CommandError(str(exc)) from None
        if not outcome.created:
            self.stdout.write(f"{found}: this Index file is already imported ({outcome.term_count:,} terms); nothing to do.")
            return
        for warning in outcome.warnings[:20]:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        if outcome.unknown_codes:
            shown = ", ".join(outcome.unknown_codes[:20])
            self.stdout.write(self.style.WARNING(
                f"{len(outcome.unknown_codes)} codes named in the Index are not in {found}: {shown}"
            ))
        self.stdout.write(self.style.SUCCESS(
            f"{found}: imported {outcome.term_count:,} Index terms ({outcome.coded_count:,} with a code). "
            "Search uses them from now on."
        ))
