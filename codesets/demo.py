"""Demo code sets: the bundled ICD-10-CM FY2026, a small HCPCS Level II set and a plain-language CPT set.

Idempotent and fast on re-run (a few queries). CPT demo wording is our own,
not AMA descriptors; the release is marked accordingly and the pages say so.
"""

from __future__ import annotations

import datetime
import time

from .bundled import CPT_DEMO_FILE, HCPCS_DEMO_FILE, ICD10CM_EFFECTIVE, ICD10CM_LABEL, bundled_icd10cm_path
from django.db import transaction

from .models import Code, CodeSetRelease, CodeSystem, ReleaseStatus
from .parsers import parse_codeset
from .services import file_sha256, release_activate, release_import

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
        else:
            if system != CodeSystem.ICD10CM:
                added = demo_release_refresh(release=release, path=path_of())
                if added:
                    _say(stdout, f"Code sets: {release} brought up to date with its demo file ({added} codes added or reworded)")
            if not has_current:
                release_activate(release=release, actor=None)
                _say(stdout, f"Code sets: {release} made current")


def demo_release_refresh(*, release: CodeSetRelease, path) -> int:
    """Bring a demo CPT or HCPCS release in line with its (changed) data file, in place.

    The demo sets are the product's own small files, not official releases: when the content grows
    a code, a database loaded earlier must accept it too, or a right answer would be called "not a
    code". Codes are added and reworded, never removed (content pinned to the release may name them).
    Returns how many codes were added or reworded; 0 (one hash comparison) when the file is unchanged.
    """
    sha = file_sha256(path)
    if release.source_sha256 == sha:
        return 0
    parsed = parse_codeset(release.system, path)
    with transaction.atomic():
        existing = {code.code: code for code in Code.objects.filter(release=release)}
        next_order = max((code.sort_order for code in existing.values()), default=0) + 1
        added, reworded = [], []
        for record in parsed.records:
            current = existing.get(record.code)
            if current is None:
                added.append(Code(
                    release=release, code=record.code, display_code=record.display_code, kind=record.kind,
                    short_title=record.short_title[:255], long_title=record.long_title, billable=record.billable,
                    parent_code=record.parent_code, chapter=record.chapter, depth=record.depth,
                    sort_order=next_order + len(added), notes=record.notes,
                ))
            elif (current.long_title, current.short_title, current.billable) != (
                record.long_title, record.short_title[:255], record.billable
            ):
                current.long_title, current.short_title, current.billable = (
                    record.long_title, record.short_title[:255], record.billable
                )
                reworded.append(current)
        Code.objects.bulk_create(added)
        Code.objects.bulk_update(reworded, ["long_title", "short_title", "billable"])
        codes = Code.objects.filter(release=release)
        release.billable_count = codes.filter(billable=True).count()
        release.header_count = codes.filter(billable=False).count()
        release.source_sha256 = sha
        release.save(update_fields=["billable_count", "header_count", "source_sha256"])
    return len(added) + len(reworded)
