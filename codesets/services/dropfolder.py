"""The drop folder: release files copied to settings.CODESET_DROP_DIR are imported, never activated.

Two ways to describe a file:

* by its name: ``<system>_<label>_<YYYY-MM-DD>.<xml|txt|csv|tsv>``,
  e.g. ``icd10cm_FY2027_2026-10-01.xml`` or ``hcpcs_2026-Q2_2026-04-01.txt``;
* by a manifest ``<anything>.json`` next to the files, needed for an XML with
  its order file::

      {"system": "icd10cm", "label": "FY2027", "effective_from": "2026-10-01",
       "file": "icd10cm-tabular-2027.xml", "order_file": "icd10cm_order_2027.txt"}

A file is imported once: its SHA-256 is remembered on the release (a failed
import is not retried until the file changes). Files younger than a minute are
left for the next scan, in case they are still being copied.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import time
from pathlib import Path

from django.conf import settings

from ..models import CodeSetRelease
from .errors import CodeSetImportError
from .imports import file_sha256, release_import

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^(?P<system>icd10cm|icd10pcs|hcpcs|cpt)_(?P<label>[A-Za-z0-9.\-]{1,64})_(?P<date>\d{4}-\d{2}-\d{2})\.(?:xml|txt|csv|tsv)$")
DATA_SUFFIXES = {".xml", ".txt", ".csv", ".tsv"}


def _jobs(folder: Path) -> tuple[list[dict], list[str]]:
    jobs: list[dict] = []
    problems: list[str] = []
    claimed: set[str] = set()
    for manifest in sorted(folder.glob("*.json")):
        try:
            spec = json.loads(manifest.read_text(encoding="utf-8"))
            job = {
                "system": str(spec["system"]),
                "label": str(spec["label"]),
                "effective_from": datetime.date.fromisoformat(str(spec["effective_from"])),
                "path": folder / Path(str(spec["file"])).name,
                "order_path": folder / Path(str(spec["order_file"])).name if spec.get("order_file") else None,
                "descriptors_are_licensed": bool(spec.get("descriptors_are_licensed", False)),
            }
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{manifest.name}: not a usable manifest ({exc})")
            continue
        claimed.update(p.name for p in (job["path"], job["order_path"]) if p)
        jobs.append(job)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in DATA_SUFFIXES or path.name in claimed or not path.is_file():
            continue
        match = NAME_PATTERN.match(path.name)
        if not match:
            continue
        jobs.append(
            {
                "system": match["system"],
                "label": match["label"],
                "effective_from": datetime.date.fromisoformat(match["date"]),
                "path": path,
                "order_path": None,
                "descriptors_are_licensed": False,
            }
        )
    return jobs, problems


def drop_folder_scan(*, folder: Path | None = None, min_age_seconds: float | None = None) -> list[str]:
    """Import every new release file found in the drop folder. Returns one line per file handled."""
    folder = Path(folder or settings.CODESET_DROP_DIR)
    if not folder.is_dir():
        return []
    min_age = getattr(settings, "CODESET_DROP_MIN_AGE_SECONDS", 60) if min_age_seconds is None else min_age_seconds
    jobs, report = _jobs(folder)
    now = time.time()
    for job in jobs:
        paths = [p for p in (job["path"], job["order_path"]) if p]
        if not all(p.is_file() for p in paths):
            report.append(f"{job['path'].name}: file missing")
            continue
        if any(now - p.stat().st_mtime < min_age for p in paths):
            continue
        sha = file_sha256(*paths)
        if CodeSetRelease.objects.filter(system=job["system"], source_sha256=sha).exists():
            continue
        try:
            outcome = release_import(
                system=job["system"],
                path=job["path"],
                order_path=job["order_path"],
                label=job["label"],
                effective_from=job["effective_from"],
                descriptors_are_licensed=job["descriptors_are_licensed"],
                activate=False,
            )
            report.append(f"{job['path'].name}: {outcome.message}")
        except CodeSetImportError as exc:
            logger.warning("Drop-folder import of %s failed: %s", job["path"].name, exc.message)
            report.append(f"{job['path'].name}: failed: {exc.message}")
    return report
