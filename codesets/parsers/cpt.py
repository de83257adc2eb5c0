"""CPT from a school's licensed AMA data file: CSV or tab-separated, columns code, short, long.

The project ships no CPT descriptors. A header row is optional; with two
columns the second is the long description. Codes are grouped in the CPT
sections (kept as data: ranges per section).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from .records import KIND_CHAPTER, KIND_CODE, CodeRecord, CodeSetFormatError, ParsedCodeSet
from .textfiles import normalise_header, read_rows, read_text

CPT_CODE = re.compile(r"^[0-9]{4}[0-9FTUM]$")

# (section id, title, first, last) for Category I; II, III and PLA by suffix.
SECTIONS = [
    ("ANES", "Anesthesia", "00100", "01999"),
    ("SURG", "Surgery", "10004", "69990"),
    ("RAD", "Radiology", "70010", "79999"),
    ("PATH", "Pathology and laboratory", "80047", "89398"),
    ("EM", "Evaluation and management", "99202", "99499"),
    ("MED", "Medicine", "90281", "99607"),
]
SUFFIX_SECTIONS = {"F": ("CAT2", "Category II (performance measurement)"),
                   "T": ("CAT3", "Category III (emerging technology)"),
                   "U": ("PLA", "Proprietary laboratory analyses"),
                   "M": ("MAAA", "Multianalyte assays with algorithmic analyses")}
SECTION_TITLES = {sid: title for sid, title, _, _ in SECTIONS} | {sid: title for sid, title in SUFFIX_SECTIONS.values()}
SECTION_TITLES["OTHER"] = "Other codes"
SECTION_ORDER = ["EM", "ANES", "SURG", "RAD", "PATH", "MED", "CAT2", "CAT3", "PLA", "MAAA", "OTHER"]


def section_of(code: str) -> str:
    if code[-1] in SUFFIX_SECTIONS:
        return SUFFIX_SECTIONS[code[-1]][0]
    # E/M sits inside the Medicine range numerically: test it first.
    for sid, _, first, last in sorted(SECTIONS, key=lambda s: s[0] != "EM"):
        if first <= code <= last:
            return sid
    return "OTHER"


def _looks_like_header(row: list[str]) -> bool:
    return not CPT_CODE.match(row[0].strip().upper()) and normalise_header(row[0]) in {"code", "cpt", "cptcode", "hcpcs"}


def parse_cpt(source: str | Path | BinaryIO) -> ParsedCodeSet:
    rows = read_rows(read_text(source))
    if not rows:
        raise CodeSetFormatError("The CPT file is empty.")
    code_col, short_col, long_col = 0, 1, 2
    if _looks_like_header(rows[0]):
        header = [normalise_header(cell) for cell in rows[0]]
        for i, cell in enumerate(header):
            if cell.startswith("short"):
                short_col = i
            elif cell.startswith("long") or cell in {"description", "descriptor"}:
                long_col = i
        rows = rows[1:]
    entries: dict[str, tuple[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        code = row[0].upper()
        if not CPT_CODE.match(code):
            raise CodeSetFormatError(
                f"Row {number}: {row[0][:20]!r} is not a CPT code (five characters: four digits and a digit, F, T, U or M). "
                "Expected columns: code, short description, long description."
            )
        if len(row) < 2:
            raise CodeSetFormatError(f"Row {number}: code {code} has no description.")
        if len(row) == 2:
            short, long = "", row[1]
        else:
            short = row[short_col] if short_col < len(row) else ""
            long = row[long_col] if long_col < len(row) else short
        if code in entries:
            raise CodeSetFormatError(f"Row {number}: code {code} appears twice in the file.")
        entries[code] = (short[:255], long or short)
    if not entries:
        raise CodeSetFormatError("The CPT file contains no codes.")
    records: list[CodeRecord] = []
    by_section: dict[str, list[str]] = {}
    for code in entries:
        by_section.setdefault(section_of(code), []).append(code)
    for section in SECTION_ORDER:
        codes = by_section.get(section)
        if not codes:
            continue
        records.append(CodeRecord(code=section, display_code=section, long_title=SECTION_TITLES[section], kind=KIND_CHAPTER, chapter=section))
        for code in sorted(codes):
            short, long = entries[code]
            records.append(
                CodeRecord(
                    code=code, display_code=code, long_title=long, short_title=short, kind=KIND_CODE,
                    billable=True, parent_code=section, chapter=section, depth=1,
                )
            )
    return ParsedCodeSet(system="cpt", records=records)
