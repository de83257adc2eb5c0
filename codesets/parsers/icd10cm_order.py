"""ICD-10-CM order file (official fixed-width layout, e.g. icd10cm_order_2026.txt).

    Position  Length  Contents
     1         5      order number, zero filled
     7         7      code without the dot
    15         1      1 = valid for HIPAA transactions (billable), 0 = header
    17        60      short description
    78        ...     long description

Used on its own it gives codes, titles and billable flags (hierarchy from code
prefixes, no notes). Given with the Tabular XML, its billable flags and short
titles win: the order file is the authority on what is billable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .records import KIND_CATEGORY, KIND_CODE, CodeRecord, CodeSetFormatError, ParsedCodeSet, dotted_icd
from .textfiles import read_text

_CODE = re.compile(r"^[A-Z][0-9A-Z]{2}[0-9A-Z]{0,4}$")


@dataclass(slots=True)
class OrderLine:
    order: int
    code: str
    billable: bool
    short_title: str
    long_title: str


def parse_order_lines(source: str | Path | BinaryIO) -> list[OrderLine]:
    text = read_text(source)
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        line = raw.rstrip("\r\n")
        order_field, code, flag = line[0:5], line[6:13].strip(), line[14:15]
        if len(line) < 18 or not order_field.isdigit() or line[5:6] != " " or flag not in ("0", "1") or not _CODE.match(code):
            raise CodeSetFormatError(
                f"Line {number} does not follow the ICD-10-CM order-file layout "
                "(5-digit order number, code in columns 7-13, 0/1 flag in column 15)."
            )
        if code in seen:
            raise CodeSetFormatError(f"Line {number}: code {code} appears twice in the order file.")
        seen.add(code)
        short = line[16:76].strip()
        long = line[77:].strip() or short
        lines.append(OrderLine(order=int(order_field), code=code, billable=flag == "1", short_title=short, long_title=long))
    if not lines:
        raise CodeSetFormatError("The order file is empty.")
    return lines


def _parent_by_prefix(code: str, known: set[str]) -> str:
    for length in range(len(code) - 1, 2, -1):
        if code[:length] in known:
            return code[:length]
    return ""


def parse_icd10cm_order(source: str | Path | BinaryIO) -> ParsedCodeSet:
    """An order file on its own: codes and headers, hierarchy from prefixes."""
    records: list[CodeRecord] = []
    known: set[str] = set()
    for line in parse_order_lines(source):
        parent = _parent_by_prefix(line.code, known)
        known.add(line.code)
        records.append(
            CodeRecord(
                code=line.code,
                display_code=dotted_icd(line.code),
                long_title=line.long_title,
                short_title=line.short_title,
                kind=KIND_CATEGORY if len(line.code) == 3 else KIND_CODE,
                billable=line.billable,
                parent_code=parent,
                depth=2 + len(line.code) - 3 if len(line.code) <= 7 else 2,
            )
        )
    return ParsedCodeSet(system="icd10cm", records=records)


def apply_order_file(parsed: ParsedCodeSet, lines: list[OrderLine]) -> ParsedCodeSet:
    """Let the order file's billable flags and short titles win over the XML."""
    by_code = {line.code: line for line in lines}
    index = {record.code: record for record in parsed.records}
    demoted = 0
    for record in parsed.records:
        if record.kind in ("chapter", "block"):
            continue
        line = by_code.get(record.code)
        if line is None:
            if record.billable:
                record.billable = False
                demoted += 1
            continue
        record.billable = line.billable
        record.short_title = line.short_title
    added = []
    for line in lines:
        if line.code in index:
            continue
        parent = _parent_by_prefix(line.code, index.keys())
        parent_record = index.get(parent)
        record = CodeRecord(
            code=line.code,
            display_code=dotted_icd(line.code),
            long_title=line.long_title,
            short_title=line.short_title,
            billable=line.billable,
            parent_code=parent,
            chapter=parent_record.chapter if parent_record else "",
            depth=(parent_record.depth + 1) if parent_record else 2,
        )
        index[line.code] = record
        added.append(record)
    if added:
        # Keep tabular order: place each added code right after its parent's subtree entry.
        position = {record.code: i for i, record in enumerate(parsed.records)}
        parsed.records.extend(added)
        parsed.records.sort(key=lambda r: (position.get(r.code, position.get(r.parent_code, len(position))), r.code))
        parsed.warnings.append(f"{len(added)} codes were listed only in the order file and were added from it.")
    if demoted:
        parsed.warnings.append(f"{demoted} codes the XML implies are billable are not in the order file and were marked as headers.")
    return parsed
