"""Demo code sets: the bundled ICD-10-CM FY2026, a small HCPCS Level II set and a plain-language CPT set.

Idempotent and fast on re-run (a few queries). CPT demo wording is our own,
not AMA descriptors; the release is marked accordingly and the pages say so.
"""

from __future__ import annotations

import datetime
import time

from .bundled import CPT_DEMO_FILE, HCPCS_DEMO_FILE, ICD10CM_EFFECTIVE, ICD10CM_LABEL, bundled_icd10cm_path
from .models import CodeSetRelease, CodeSystem, ReleaseStatus
from .services import release_activate, release_import

DEMO_SETS = [
    # system, label, effective from, where the file is
    (CodeSystem.ICD10CM, ICD10CM_LABEL, ICD10CM_EFFECTIVE, bundled_icd10cm_path),
    (CodeSystem.HCPCS, "2026-Q1 demo", datetime.date(2026, 1, 1), lambda: HCPCS_DEMO_FILE),
    (CodeSystem.CPT, "2026 demo (plain language)", datetime.date(2026, 1, 1), lambda: CPT_DEMO_FILE),
]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message if message.endswith("\n") or hasattr(stdout, "style_func") else message + "\n")


def load(*, stdout=None) -> None:
    for system, label, effective, path_of in DEMO_SETS:
        release = CodeSetRelease.objects.filter(system=system, label=label).first()
        has_current = CodeSetRelease.objects.current().filter(system=system).exists()
        if release is None or release.status != ReleaseStatus.READY:
            started = time.monotonic()
            outcome = release_import(
                system=system, path=path_of(), label=label, effective_from=effective, activate=not has_current
            )
            release = outcome.release
            _say(stdout, f"Code sets: imported {release} ({release.billable_count:,} billable codes) in {time.monotonic() - started:.1f} s")
        elif not has_current:
            release_activate(release=release, actor=None)
            _say(stdout, f"Code sets: {release} made current")
