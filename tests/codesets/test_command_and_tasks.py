"""The import command, the Celery tasks (drop folder, stale imports) and the demo sets."""

from __future__ import annotations

import datetime
import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from codesets import demo
from codesets.models import Code, CodeSetRelease, ReleaseStatus
from codesets.selectors import whats_new_markdown
from codesets.tasks import import_release, scan_drop_folder

from .conftest import fixture_path

pytestmark = pytest.mark.django_db


class TestCommand:
    def test_it_imports_with_progress_and_activates_when_asked(self):
        out = StringIO()
        call_command("import_codeset", str(fixture_path("tabular_fy2025.xml")), system="icd10cm", label="FY2025", effective="2024-10-01", activate=True, stdout=out)
        text = out.getvalue()
        assert "100%" in text and "Imported 16 billable codes and 20 headers" in text and "Current release: yes" in text
        assert CodeSetRelease.objects.current().get().label == "FY2025"

    def test_second_release_prints_the_diff(self, fy2025):
        out = StringIO()
        call_command("import_codeset", str(fixture_path("tabular_fy2026.xml")), system="icd10cm", label="FY2026", effective="2025-10-01", stdout=out)
        assert "Changes against FY2025: 4 added, 2 deleted, 4 revised" in out.getvalue()
        assert CodeSetRelease.objects.current().get().label == "FY2025"

    def test_order_file_option(self):
        out = StringIO()
        call_command(
            "import_codeset", str(fixture_path("tabular_fy2025.xml")), system="icd10cm", order_file=str(fixture_path("order_fy2025.txt")),
            label="FY2025", effective="2024-10-01", stdout=out,
        )
        assert Code.objects.get(code="E119").billable is False
        assert "only in the order file" in out.getvalue()

    def test_hcpcs_and_cpt(self):
        call_command("import_codeset", str(fixture_path("hcpcs_2026q1_fixed.txt")), system="hcpcs", label="2026-Q1", effective="2026-01-01", stdout=StringIO())
        call_command("import_codeset", str(fixture_path("cpt_licensed.tsv")), system="cpt", label="2026", effective="2026-01-01", licensed=True, stdout=StringIO())
        assert CodeSetRelease.objects.get(system="cpt").descriptors_are_licensed

    def test_errors_are_clear(self, tmp_path):
        with pytest.raises(CommandError, match="DTD, entities"):
            call_command("import_codeset", str(fixture_path("billion_laughs.xml")), system="icd10cm", label="X", effective="2025-10-01", stdout=StringIO())
        with pytest.raises(CommandError, match="No file at"):
            call_command("import_codeset", str(tmp_path / "missing.xml"), system="icd10cm", label="Y", effective="2025-10-01", stdout=StringIO())
        with pytest.raises(CommandError, match="--effective must be a date"):
            call_command("import_codeset", str(fixture_path("tabular_fy2025.xml")), system="icd10cm", label="Z", effective="Oct 1", stdout=StringIO())

    def test_same_file_twice_says_so(self, fy2025):
        out = StringIO()
        call_command("import_codeset", str(fixture_path("tabular_fy2025.xml")), system="icd10cm", label="FY2025b", effective="2024-10-01", stdout=out)
        assert "already imported" in out.getvalue() and CodeSetRelease.objects.count() == 1


class TestTasks:
    def test_import_task_is_idempotent(self, fy2025):
        assert import_release(fy2025.pk) == "nothing to do"
        assert import_release(12345) == "nothing to do"

    def test_drop_folder_imports_new_files_but_never_activates(self, fy2025, settings):
        drop = settings.CODESET_DROP_DIR
        drop.mkdir(parents=True)
        shutil.copy(fixture_path("tabular_fy2026.xml"), drop / "icd10cm_FY2026_2025-10-01.xml")
        settings.CODESET_DROP_MIN_AGE_SECONDS = 0
        report = scan_drop_folder()
        release = CodeSetRelease.objects.get(label="FY2026")
        assert release.status == ReleaseStatus.READY and not release.is_current
        assert "icd10cm_FY2026_2025-10-01.xml" in report[0]
        assert scan_drop_folder() == []
        assert CodeSetRelease.objects.count() == 2

    def test_drop_folder_manifest_with_order_file_and_failures(self, settings):
        drop = settings.CODESET_DROP_DIR
        drop.mkdir(parents=True)
        settings.CODESET_DROP_MIN_AGE_SECONDS = 0
        shutil.copy(fixture_path("tabular_fy2025.xml"), drop / "tabular.xml")
        shutil.copy(fixture_path("order_fy2025.txt"), drop / "order.txt")
        (drop / "fy2025.json").write_text(json.dumps({"system": "icd10cm", "label": "FY2025", "effective_from": "2024-10-01", "file": "tabular.xml", "order_file": "order.txt"}))
        shutil.copy(fixture_path("external_entity.xml"), drop / "icd10cm_EVIL_2026-10-01.xml")
        (drop / "notes.txt").write_text("ignored")
        report = scan_drop_folder()
        assert CodeSetRelease.objects.get(label="FY2025").status == ReleaseStatus.READY
        assert Code.objects.get(code="E119").billable is False
        evil = CodeSetRelease.objects.get(label="EVIL")
        assert evil.status == ReleaseStatus.FAILED and not evil.codes.exists()
        assert any("failed" in line for line in report)
        assert scan_drop_folder() == []  # a failed file is not retried until it changes

    def test_files_still_being_copied_wait_for_the_next_scan(self, settings):
        drop = settings.CODESET_DROP_DIR
        drop.mkdir(parents=True)
        shutil.copy(fixture_path("tabular_fy2025.xml"), drop / "icd10cm_FY2025_2024-10-01.xml")
        settings.CODESET_DROP_MIN_AGE_SECONDS = 3600
        assert scan_drop_folder() == [] and not CodeSetRelease.objects.exists()

    def test_stale_imports_are_marked_interrupted(self, settings):
        stale = CodeSetRelease.objects.create(
            system="icd10cm", label="STALE", effective_from=datetime.date(2026, 10, 1),
            progress_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
        )
        scan_drop_folder()
        stale.refresh_from_db()
        assert stale.status == ReleaseStatus.FAILED and "interrupted" in stale.error_message


class TestDemo:
    def test_demo_sets_load_and_rerun_is_a_no_op(self, monkeypatch, django_assert_max_num_queries):
        monkeypatch.setattr(demo, "DEMO_SETS", [(s, label, eff, (lambda: fixture_path("tabular_fy2025.xml")) if s == "icd10cm" else getter) for s, label, eff, getter in demo.DEMO_SETS])
        demo.load()
        current = {r.system: r for r in CodeSetRelease.objects.current()}
        assert set(current) == {"icd10cm", "hcpcs", "cpt"}
        assert current["icd10cm"].label == "FY2026" and current["icd10cm"].effective_from == datetime.date(2025, 10, 1)
        assert current["cpt"].descriptors_are_licensed is False
        assert Code.objects.get(release=current["cpt"], code="99213").long_title == (
            "Office visit, established patient, low complexity (plain-language summary)"
        )
        assert Code.objects.filter(release=current["hcpcs"], code="J1885").exists()
        with django_assert_max_num_queries(8):
            demo.load()
        assert CodeSetRelease.objects.count() == 3


class TestWhatsNew:
    def test_the_lesson_has_counts_and_notable_changes_by_chapter(self, fy2026):
        text = whats_new_markdown(release=fy2026)
        assert text.startswith("# What's new in ICD-10-CM FY2026")
        assert "**4 new codes**, **2 deleted codes** and **4 codes with a revised title**" in text
        assert "| Chapter 1: Certain infectious and parasitic diseases (A00-B99) | 3 | 2 | 1 |" in text
        assert "- `E11.A` Type 2 diabetes mellitus without complications in remission" in text
        assert "- `B10.89` Other human herpesvirus infection" in text
        assert "was “Cholera due to Vibrio cholerae 01, biovar cholerae”, now “Cholera due to Vibrio cholerae O1, biovar cholerae”" in text

    def test_a_first_release_has_nothing_to_compare(self, fy2025):
        assert "no earlier release" in whats_new_markdown(release=fy2025)
