"""Alphabetic Index files in the code-set drop folder (settings.CODESET_DROP_DIR).

CMS names them ``icd10cm_index_<FY>.xml``, ``icd10cm_eindex_<FY>.xml``,
``icd10cm_neoplasm_<FY>.xml`` and ``icd10cm_drug_<FY>.xml``. ``<FY>`` may be the
fiscal year (``2026``: the ready ICD-10-CM release labelled ``FY2026`` or ``2026``,
else the latest one effective between October 1, 2025 and September 30, 2026) or
a release label (``icd10cm_drug_FY2026-APR.xml``). The files of one release are
imported together, once each (the import skips a file it already has), after the
release itself is ready: a release and its Index can be dropped at the same time.
Files younger than a minute are left for the next scan.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from codesets.models import CodeSetRelease, CodeSystem

from .index_import import IndexImportError, index_files_import

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(
    r"^icd10cm_(?:index|eindex|neoplasm|drug)_(?P<release>[A-Za-z0-9.\-]{1,64})\.xml$", re.IGNORECASE
)


def index_release_for(name: str) -> CodeSetRelease | None:
    """The ready ICD-10-CM release a dropped Index file belongs to, from the end of its name."""
    releases = CodeSetRelease.objects.ready().filter(system=CodeSystem.ICD10CM)
    found = releases.filter(label__iexact=name).first()
    if found is not None or not re.fullmatch(r"\d{4}", name):
        return found
    year = int(name)
    found = releases.filter(label__iexact=f"FY{year}").first()
    if found is not None:
        return found
    return (
        releases.filter(effective_from__gte=datetime.date(year - 1, 10, 1),
                        effective_from__lte=datetime.date(year, 9, 30))
        .order_by("-effective_from", "-id").first()
    )


def index_drop_folder_scan(*, folder: Path | None = None, min_age_seconds: float | None = None) -> list[str]:
    """Import the Index files found in the drop folder into their releases. One line per release handled."""
    folder = Path(folder or settings.CODESET_DROP_DIR)
    if not folder.is_dir():
        return []
    min_age = getattr(settings, "CODESET_DROP_MIN_AGE_SECONDS", 60) if min_age_seconds is None else min_age_seconds
    now = time.time()
    groups: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        match = NAME_PATTERN.match(path.name)
        if match and path.is_file() and now - path.stat().st_mtime >= min_age:
            groups.setdefault(match["release"], []).append(path)
    report: list[str] = []
    for name, paths in groups.items():
        release = index_release_for(name)
        names = ", ".join(path.name for path in paths)
        # A file that failed is not parsed again on every scan, only once it changes.
        failed_key = "lookup:index-drop-failed:" + "|".join(
            f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in paths)
        if cache.get(failed_key):
            continue
        if release is None:
            report.append(f"{names}: waiting for a ready ICD-10-CM release {name}")
            continue
        try:
            outcomes = index_files_import(release=release, paths=paths)
        except IndexImportError as exc:
            logger.warning("Drop-folder Index import for %s failed: %s", release, exc)
            report.append(f"{names}: failed: {exc}")
            cache.set(failed_key, True, 24 * 3600)
            continue
        for outcome in outcomes:
            if outcome.created:
                report.append(f"{outcome.file_name}: imported {outcome.term_count:,} terms of the "
                              f"{outcome.table_name} into {release}")
    return report
