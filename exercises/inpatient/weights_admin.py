"""DRG weights for administrators: which fiscal years have weights, which year each ICD-10-CM release and inpatient
case is grouped and paid with, and the upload of a CMS Table 5 (checked completely, kept atomically, audited)."""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Count

from accounts.services import audit_record
from codesets.models import CodeSetRelease

from .grouper import VERSIONS
from .services import INPATIENT, fiscal_year_of
from .weights import WeightsError, _bundled_fy2026, weights_dir, weights_for_year, weights_import

MAX_TABLE5_BYTES = 5 * 1024 * 1024  # CMS's Table 5 is about 100 KB; anything far larger is not one


@dataclass(slots=True)
class WeightYear:
    fiscal_year: int
    drgs: int
    source: str  # "uploaded" or "bundled"
    uploaded_at: datetime.datetime | None = None
    grouper: bool = False  # an MS-DRG grouper version exists for the year


@dataclass(slots=True)
class ReleaseYear:
    label: str
    effective_from: datetime.date | None
    fiscal_year: int
    has_weights: bool
    cases: list[str] = field(default_factory=list)
    is_default: bool = False  # cases with no pinned release use the configured default year


def default_fiscal_year() -> int:
    return int(getattr(settings, "DRG_DEFAULT_FISCAL_YEAR", 2026))


def loaded_years() -> list[WeightYear]:
    """Every fiscal year with weights, newest first: uploaded tables, and the FY2026 table the drg package ships."""
    years: dict[int, WeightYear] = {}
    folder = weights_dir()
    if folder.exists():
        for path in sorted(folder.glob("FY*.txt")):
            stem = path.stem[2:]
            if not stem.isdigit():
                continue
            weights = weights_for_year(int(stem))
            if weights is None:
                continue
            stamp = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.timezone.utc)
            years[int(stem)] = WeightYear(int(stem), len(weights), "uploaded", stamp)
    if 2026 not in years and _bundled_fy2026() is not None:
        weights = weights_for_year(2026)
        if weights is not None:
            years[2026] = WeightYear(2026, len(weights), "bundled")
    for year in years.values():
        year.grouper = year.fiscal_year in VERSIONS
    return sorted(years.values(), key=lambda y: -y.fiscal_year)


def release_years() -> list[ReleaseYear]:
    """Each ICD-10-CM release with the fiscal year its inpatient cases are grouped and paid with (two queries)."""
    from ..models import Case

    with_weights = {y.fiscal_year for y in loaded_years()}
    cases: dict[int | None, list[str]] = {}
    for release_id, title in (Case.objects.filter(setting=INPATIENT).order_by("title")
                              .values_list("icd10cm_release_id", "title")):
        cases.setdefault(release_id, []).append(title)
    rows = []
    for release in CodeSetRelease.objects.filter(system="icd10cm").order_by("-effective_from", "-id"):
        year = fiscal_year_of(release.effective_from) if release.effective_from else default_fiscal_year()
        rows.append(ReleaseYear(release.label, release.effective_from, year, year in with_weights,
                                cases.get(release.pk, [])))
    if None in cases:
        year = default_fiscal_year()
        rows.append(ReleaseYear("No release pinned", None, year, year in with_weights, cases[None], is_default=True))
    return rows


def weights_upload(*, upload, fiscal_year: int | None, actor) -> tuple[int, int]:
    """Check an uploaded Table 5 and keep it for its fiscal year: (year, weighted DRGs). Raises WeightsError.

    The file is read whole and parsed before anything is kept; the year's table is then replaced in one rename,
    so a bad file leaves the previous table (or none) exactly as it was.
    """
    if fiscal_year is None:
        raise WeightsError("give the fiscal year this table is for (for example 2027)")
    if upload.size > MAX_TABLE5_BYTES:
        raise WeightsError(f"the file is {upload.size / 1024 / 1024:.1f} MB; a CMS Table 5 is far smaller "
                           f"(at most {MAX_TABLE5_BYTES // 1024 // 1024} MB accepted)")
    before = weights_for_year(fiscal_year)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table5.txt"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            year, count = weights_import(source=path, fiscal_year=fiscal_year)
        except UnicodeDecodeError:
            raise WeightsError("the file is not text in the Windows-1252 encoding CMS uses for Table 5") from None
    audit_record(actor=actor, action="drg_weights.imported", target_type="drg_weights", target_id=year,
                 before={"weighted_drgs": len(before)} if before else None,
                 after={"weighted_drgs": count, "file": getattr(upload, "name", "")[:200]})
    return year, count
