"""HCPCS Level II: the CMS fixed-width file (320-character records) and its CSV export.

Fixed-width layout (from the record layout that ships with each quarterly
release; verify against it when CMS changes the file):

    1-5     HCPCS code (a letter and four digits; two characters for modifiers)
    6-10    sequence number
    11      record identification: 3 = first line of a procedure's long description,
            4 = continuation, 7 = first line of a modifier's long description, 8 = continuation
    12-91   long description (this line's part)
    92-119  short description

A long description longer than 80 characters continues on the following
records of the same code. D codes are the ADA's CDT (copyrighted) and are
never loaded.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import BinaryIO

from .records import KIND_CHAPTER, KIND_CODE, CodeRecord, CodeSetFormatError, ParsedCodeSet
from .textfiles import normalise_header, read_rows, read_text

RECORD_LENGTH = 320
LAYOUT = {
    "code": (0, 5),
    "sequence": (5, 10),
    "record_id": (10, 11),
    "long": (11, 91),
    "short": (91, 119),
}
LONG_WIDTH = 80
FIRST_LINE_IDS = {"3", "7"}
CONTINUATION_IDS = {"4", "8"}
MODIFIER_IDS = {"7", "8"}

HCPCS_CODE = re.compile(r"^[A-Z][0-9]{4}$")
MODIFIER_CODE = re.compile(r"^[A-Z0-9]{2}$")
MODIFIER_SECTION = "MOD"

# Sections by first letter (CMS's public grouping; kept as data, easy to edit).
SECTIONS = {
    "A": "Transportation services, medical and surgical supplies, miscellaneous and investigational",
    "B": "Enteral and parenteral therapy",
    "C": "Outpatient prospective payment system (temporary codes)",
    "E": "Durable medical equipment",
    "G": "Procedures and professional services (temporary codes)",
    "H": "Behavioral health and substance abuse treatment services",
    "J": "Drugs administered other than oral method, chemotherapy drugs",
    "K": "Temporary codes for durable medical equipment regional carriers",
    "L": "Orthotic and prosthetic procedures and devices",
    "M": "Other medical services and quality measures",
    "P": "Pathology and laboratory services",
    "Q": "Miscellaneous services (temporary codes)",
    "R": "Diagnostic radiology services",
    "S": "Temporary national codes (non-Medicare)",
    "T": "National codes established for state Medicaid agencies",
    "U": "Coronavirus diagnostic panel tests",
    "V": "Vision, hearing and speech-language pathology services",
    MODIFIER_SECTION: "Modifiers",
}


def _section_of(code: str) -> str:
    return MODIFIER_SECTION if len(code) == 2 else code[0]


def _build(entries: dict[str, dict], order: list[str]) -> ParsedCodeSet:
    records: list[CodeRecord] = []
    sections_used = []
    for code in order:
        section = _section_of(code)
        if section not in sections_used:
            sections_used.append(section)
    for section in sorted(sections_used, key=lambda s: (s == MODIFIER_SECTION, s)):
        records.append(
            CodeRecord(
                code=section,
                display_code=section,
                long_title=SECTIONS.get(section, f"{section} codes"),
                kind=KIND_CHAPTER,
                chapter=section,
                depth=0,
            )
        )
        for code in sorted(c for c in order if _section_of(c) == section):
            entry = entries[code]
            modifier = section == MODIFIER_SECTION
            records.append(
                CodeRecord(
                    code=code,
                    display_code=code,
                    long_title=" ".join(entry["long"].split()) or entry["short"],
                    short_title=entry["short"],
                    kind=KIND_CODE,
                    billable=not modifier,
                    parent_code=section,
                    chapter=section,
                    depth=1,
                    notes={"modifier": True} if modifier else {},
                )
            )
    parsed = ParsedCodeSet(system="hcpcs", records=records)
    if not any(r.billable for r in records):
        raise CodeSetFormatError("The file contains no HCPCS Level II codes.")
    return parsed


def _continue(entry: dict, part: str) -> None:
    """CSV cells lose their padding: after a full 80-character segment the word was cut, join without a space."""
    entry["long"] = entry["long"] + part if entry.get("last", 0) >= LONG_WIDTH else f"{entry['long']} {part}"
    entry["last"] = len(part)


def _accept(code: str, line: int) -> bool:
    if code.startswith("D") and HCPCS_CODE.match(code):
        return False  # CDT (ADA copyright): never loaded.
    if HCPCS_CODE.match(code) or MODIFIER_CODE.match(code):
        return True
    raise CodeSetFormatError(f"Line {line}: {code!r} is not a HCPCS Level II code or modifier.")


def parse_hcpcs_fixed_width(source: str | Path | BinaryIO) -> ParsedCodeSet:
    text = read_text(source)
    entries: dict[str, dict] = {}
    order: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        line = raw.rstrip("\r\n")
        if len(line) < LAYOUT["short"][0] or len(line) > RECORD_LENGTH:
            raise CodeSetFormatError(
                f"Line {number} is {len(line)} characters long: HCPCS fixed-width records are {RECORD_LENGTH} characters "
                "(is this the CSV export? choose the CSV format)."
            )
        code = line[slice(*LAYOUT["code"])].strip()
        record_id = line[slice(*LAYOUT["record_id"])]
        sequence = line[slice(*LAYOUT["sequence"])]
        if not sequence.strip().isdigit() or record_id not in FIRST_LINE_IDS | CONTINUATION_IDS:
            raise CodeSetFormatError(
                f"Line {number} does not follow the HCPCS record layout (sequence number in columns 6-10, "
                "record identification 3/4/7/8 in column 11)."
            )
        if not _accept(code, number):
            continue
        # Keep the padding: a description is cut at 80 characters, sometimes mid-word.
        long_part = line[slice(*LAYOUT["long"])].ljust(LONG_WIDTH)
        if record_id in FIRST_LINE_IDS:
            if code in entries:
                raise CodeSetFormatError(f"Line {number}: code {code} starts twice in the file.")
            entries[code] = {"long": long_part, "short": line[slice(*LAYOUT["short"])].strip()}
            order.append(code)
        else:
            if code not in entries:
                raise CodeSetFormatError(f"Line {number}: a continuation line for {code} comes before its first line.")
            entries[code]["long"] += long_part
    if not order:
        raise CodeSetFormatError("The file contains no HCPCS records.")
    return _build(entries, order)


_CODE_HEADERS = {"hcpc", "hcpcs", "hcpcscode", "code"}
_LONG_HEADERS = {"longdescription", "long", "longdesc", "description"}
_SHORT_HEADERS = {"shortdescription", "short", "shortdesc"}
_RECID_HEADERS = {"recid", "recordid", "recordidentificationcode"}


def parse_hcpcs_csv(source: str | Path | BinaryIO) -> ParsedCodeSet:
    """CSV with a header row naming at least the code and the long description columns."""
    rows = read_rows(read_text(source))
    if not rows:
        raise CodeSetFormatError("The CSV file is empty.")
    header = [normalise_header(cell) for cell in rows[0]]

    def column(names: set[str]) -> int | None:
        return next((i for i, cell in enumerate(header) if cell in names), None)

    code_col, long_col, short_col, recid_col = column(_CODE_HEADERS), column(_LONG_HEADERS), column(_SHORT_HEADERS), column(_RECID_HEADERS)
    if code_col is None or long_col is None:
        raise CodeSetFormatError(
            "The CSV header must name the code column (HCPC or code) and the long description column "
            "(LONG DESCRIPTION or long)."
        )
    entries: dict[str, dict] = {}
    order: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= max(code_col, long_col):
            raise CodeSetFormatError(f"Line {number} has {len(row)} columns; the header has {len(header)}.")
        code = row[code_col].upper()
        if not _accept(code, number):
            continue
        long = row[long_col]
        short = row[short_col] if short_col is not None and short_col < len(row) else ""
        record_id = row[recid_col] if recid_col is not None and recid_col < len(row) else ""
        if code in entries:
            if record_id in CONTINUATION_IDS:
                _continue(entries[code], long)
                continue
            raise CodeSetFormatError(f"Line {number}: code {code} appears twice in the file.")
        entries[code] = {"long": long, "short": short, "last": len(long)}
        order.append(code)
    if not order:
        raise CodeSetFormatError("The CSV file contains no HCPCS codes.")
    return _build(entries, order)


def _looks_fixed_width(line: str) -> bool:
    return len(line) >= LAYOUT["short"][0] and line[5:10].strip().isdigit() and line[10:11] in FIRST_LINE_IDS | CONTINUATION_IDS


def parse_hcpcs(source: str | Path, fmt: str = "auto") -> ParsedCodeSet:
    """Pick the fixed-width or the CSV reader (``fmt``: auto, fixed, csv)."""
    if fmt == "auto":
        text = read_text(source)
        first = next((line for line in text.splitlines() if line.strip()), "")
        fmt = "fixed" if _looks_fixed_width(first) else "csv"
        source_for_parser: str | Path | BinaryIO = io.BytesIO(text.encode("utf-8"))
    else:
        source_for_parser = source
    if fmt == "csv":
        return parse_hcpcs_csv(source_for_parser)
    return parse_hcpcs_fixed_width(source_for_parser)
