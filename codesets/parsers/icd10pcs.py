"""ICD-10-PCS: the CMS tables XML (``icd10pcs_tables_<FY>.xml``) and order file (``icd10pcs_order_<FY>.txt``).

The tables file lists one ``<pcsTable>`` per first three characters: the section (axis 1), body system (axis 2)
and root operation or type (axis 3, with its official definition) have one value each, then each ``<pcsRow>``
lists the values its codes may take on axes 4 to 7 (body part, approach, device, qualifier in the Medical and
Surgical section; other sections name their axes differently, which is why every axis keeps its ``<title>``).
The valid codes are the combinations each row allows. Records:

* a header per section (``0``), body system (``00``) and table (``001``), the table carrying its axes and rows in
  ``notes`` (``axes``: position -> title, value, label, definition; ``rows``: position -> [[value, label], ...])
  for the table browser, the code builder and axis-by-axis feedback;
* one billable record per code (7 characters, no dot), titled from its axis labels, unless the order file gives
  the official long and short titles (it wins, as for ICD-10-CM).

The order file alone gives the codes and titles (headers are the 3-character tables, flag 0). Parsing goes
through defusedxml: a DTD, an entity declaration or an external reference is refused.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as defused_parse

from .records import KIND_BLOCK, KIND_CATEGORY, KIND_CHAPTER, KIND_CODE, CodeRecord, CodeSetFormatError, ParsedCodeSet
from .textfiles import read_text

ROOT_TAG = "ICD10PCS.tabular"
# ICD-10-PCS values are digits and letters except I and O (they would read as 1 and 0).
VALUE = re.compile(r"^[0-9A-HJ-NP-Z]$")
CODE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
MAX_CODES = 200_000
# The sections (first character), named as in the CMS tables, for an order file read on its own.
SECTIONS = {
    "0": "Medical and Surgical", "1": "Obstetrics", "2": "Placement", "3": "Administration",
    "4": "Measurement and Monitoring", "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies", "7": "Osteopathic", "8": "Other Procedures", "9": "Chiropractic",
    "B": "Imaging", "C": "Nuclear Medicine", "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology", "G": "Mental Health", "H": "Substance Abuse Treatment",
    "X": "New Technology",
}


def _text(element: Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _axis(axis: Element, table: str, expected: int) -> tuple[str, list[tuple[str, str, str]]]:
    """(title, [(value, label, definition)]) of one <axis>, checked."""
    try:
        pos = int(axis.get("pos", ""))
    except ValueError:
        pos = 0
    if pos != expected:
        raise CodeSetFormatError(f"Table {table or '?'}: expected axis {expected}, found axis {axis.get('pos')!r}.")
    title = _text(axis.find("title"))
    if not title:
        raise CodeSetFormatError(f"Table {table or '?'}: axis {pos} has no title.")
    values = []
    for label in axis.findall("label"):
        value = (label.get("code") or "").strip().upper()
        if not VALUE.match(value):
            raise CodeSetFormatError(
                f"Table {table or '?'}: axis {pos} ({title}) has the value {value!r}; ICD-10-PCS values are one digit "
                "or letter (not I or O)."
            )
        values.append((value, _text(label), ""))
    if not values:
        raise CodeSetFormatError(f"Table {table or '?'}: axis {pos} ({title}) has no values.")
    definition = _text(axis.find("definition"))
    if definition:
        values = [(v, label, definition) for v, label, _ in values]
    return title, values


def _code_title(labels: list[str]) -> str:
    """A readable title from the labels of axes 3-7 ("Bypass, Cerebral Ventricle, Open, ...")."""
    return ", ".join(label for label in labels if label and label.lower() not in ("no device", "no qualifier", "none"))


def parse_pcs_tables(source: str | Path | BinaryIO) -> ParsedCodeSet:
    try:
        tree = defused_parse(source, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CodeSetFormatError(
            "The XML file declares a DTD, entities or external references; such files are refused for safety "
            f"({type(exc).__name__})."
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise CodeSetFormatError(
            f"The file is not well-formed XML (line {line}, column {column}): it may be truncated or not an XML file."
        ) from None
    root = tree.getroot()
    if root.tag != ROOT_TAG:
        raise CodeSetFormatError(
            f"This is not an ICD-10-PCS tables file: the root element is <{root.tag}>, expected <{ROOT_TAG}>."
        )
    tables = root.findall("pcsTable")
    if not tables:
        raise CodeSetFormatError("The ICD-10-PCS tables file contains no tables (<pcsTable>).")
    records: list[CodeRecord] = []
    headers: set[str] = set()
    seen_codes: set[str] = set()
    for number, table in enumerate(tables, start=1):
        axes = table.findall("axis")
        if len(axes) != 3:
            raise CodeSetFormatError(f"Table {number}: a table has three axes before its rows, found {len(axes)}.")
        fixed = []
        for pos, axis in enumerate(axes, start=1):
            title, values = _axis(axis, "", pos)
            if len(values) != 1:
                raise CodeSetFormatError(f"Table {number}: axis {pos} ({title}) of a table has one value, found {len(values)}.")
            fixed.append((title, *values[0]))
        (s_title, s_val, s_label, _), (b_title, b_val, b_label, _), (o_title, o_val, o_label, o_def) = fixed
        prefix = s_val + b_val + o_val
        if prefix in headers:
            raise CodeSetFormatError(f"Table {prefix} appears twice in the file.")
        for code, kind, title, parent, depth in (
            (s_val, KIND_CHAPTER, s_label, "", 0),
            (s_val + b_val, KIND_BLOCK, b_label, s_val, 1),
        ):
            if code not in headers:
                headers.add(code)
                records.append(CodeRecord(code=code, display_code=code, long_title=title, kind=kind, parent_code=parent,
                                          chapter=s_val, depth=depth))
        rows_data = []
        expanded: list[tuple[str, list[str]]] = []
        for row_number, row in enumerate(table.findall("pcsRow"), start=1):
            row_axes = row.findall("axis")
            if len(row_axes) != 4:
                raise CodeSetFormatError(f"Table {prefix}, row {row_number}: a row has axes 4 to 7, found {len(row_axes)} axes.")
            parsed_axes = [_axis(axis, prefix, pos) for pos, axis in enumerate(row_axes, start=4)]
            rows_data.append({str(pos): {"title": title, "values": [[v, label] for v, label, _ in values]}
                              for pos, (title, values) in enumerate(parsed_axes, start=4)})
            for combination in itertools.product(*(values for _, values in parsed_axes)):
                code = prefix + "".join(value for value, _, _ in combination)
                expanded.append((code, [o_label, *(label for _, label, _ in combination)]))
            declared = row.get("codes")
            if declared and declared.isdigit():
                count = 1
                for _, values in parsed_axes:
                    count *= len(values)
                if int(declared) != count:
                    raise CodeSetFormatError(
                        f"Table {prefix}, row {row_number}: the row says it has {declared} codes, its axes make {count}."
                    )
        if not rows_data:
            raise CodeSetFormatError(f"Table {prefix} has no rows (<pcsRow>).")
        headers.add(prefix)
        records.append(CodeRecord(
            code=prefix, display_code=prefix, long_title=f"{b_label}, {o_label}", short_title=o_label, kind=KIND_CATEGORY,
            parent_code=s_val + b_val, chapter=s_val, depth=2,
            notes={"axes": {"1": {"title": s_title, "value": s_val, "label": s_label},
                            "2": {"title": b_title, "value": b_val, "label": b_label},
                            "3": {"title": o_title, "value": o_val, "label": o_label, "definition": o_def}},
                   "rows": rows_data},
        ))
        for code, labels in expanded:
            if code in seen_codes:
                raise CodeSetFormatError(f"Code {code} is allowed by two rows of the tables.")
            seen_codes.add(code)
            records.append(CodeRecord(code=code, display_code=code, long_title=_code_title(labels), kind=KIND_CODE,
                                      billable=True, parent_code=prefix, chapter=s_val, depth=3))
        if len(seen_codes) > MAX_CODES:
            raise CodeSetFormatError(f"The tables allow more than {MAX_CODES:,} codes: this is not an ICD-10-PCS file.")
    return ParsedCodeSet(system="icd10pcs", records=records)


def parse_pcs_order_lines(source: str | Path | BinaryIO) -> list[tuple[str, bool, str, str]]:
    """(code, billable, short title, long title) per line of an ICD-10-PCS order file (the ICD-10-CM layout)."""
    text = read_text(source)
    lines = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        order_field, code, flag = raw[0:5], raw[6:13].strip(), raw[14:15]
        if len(raw) < 18 or not order_field.isdigit() or raw[5:6] != " " or flag not in ("0", "1"):
            raise CodeSetFormatError(
                f"Line {number} does not follow the ICD-10-PCS order-file layout "
                "(5-digit order number, code in columns 7-13, 0/1 flag in column 15)."
            )
        if flag == "1" and not CODE.match(code):
            raise CodeSetFormatError(
                f"Line {number}: {code!r} is not an ICD-10-PCS code (7 characters, digits and letters other than I and O)."
            )
        if flag == "0" and not (1 <= len(code) <= 3 and all(VALUE.match(c) for c in code)):
            raise CodeSetFormatError(f"Line {number}: the header {code!r} is not an ICD-10-PCS table (3 characters).")
        if code in seen:
            raise CodeSetFormatError(f"Line {number}: code {code} appears twice in the order file.")
        seen.add(code)
        short = raw[16:76].strip()
        lines.append((code, flag == "1", short, raw[77:].strip() or short))
    if not lines:
        raise CodeSetFormatError("The order file is empty.")
    return lines


def parse_pcs_order(source: str | Path | BinaryIO) -> ParsedCodeSet:
    """The order file alone: tables as headers under their section and body system, codes under their table."""
    return ParsedCodeSet(system="icd10pcs", records=_order_records(parse_pcs_order_lines(source)))


def _order_records(lines: list[tuple[str, bool, str, str]]) -> list[CodeRecord]:
    records: list[CodeRecord] = []
    headers: set[str] = set()
    for code, billable, short, long in lines:
        for size, kind in ((1, KIND_CHAPTER), (2, KIND_BLOCK)):
            head = code[:size]
            if len(code) > size and head not in headers:
                headers.add(head)
                title = SECTIONS.get(head, f"Section {head}") if size == 1 else f"{SECTIONS.get(head[0], head[0])} {head}"
                records.append(CodeRecord(code=head, display_code=head, long_title=title, kind=kind,
                                          parent_code=head[:-1], chapter=code[0], depth=size - 1))
        if not billable:
            if code in headers:
                continue
            headers.add(code)
            records.append(CodeRecord(code=code, display_code=code, long_title=long, short_title=short,
                                      kind=KIND_CATEGORY, parent_code=code[:2] if len(code) == 3 else code[:-1],
                                      chapter=code[0], depth=len(code) - 1))
            continue
        table = code[:3]
        if table not in headers:
            headers.add(table)
            records.append(CodeRecord(code=table, display_code=table, long_title=f"ICD-10-PCS table {table}",
                                      kind=KIND_CATEGORY, parent_code=code[:2], chapter=code[0], depth=2))
        records.append(CodeRecord(code=code, display_code=code, long_title=long, short_title=short, kind=KIND_CODE,
                                  billable=True, parent_code=table, chapter=code[0], depth=3))
    return records


def apply_pcs_order(parsed: ParsedCodeSet, source: str | Path | BinaryIO) -> ParsedCodeSet:
    """Official titles from the order file; a code in only one of the two files is an error worth stopping for."""
    order = {code: (billable, short, long) for code, billable, short, long in parse_pcs_order_lines(source)}
    tables = {record.code for record in parsed.records if record.billable}
    listed = {code for code, (billable, _, _) in order.items() if billable}
    missing = sorted(tables - listed)
    extra = sorted(listed - tables)
    if missing or extra:
        sample = ", ".join((missing + extra)[:5])
        raise CodeSetFormatError(
            f"The order file and the tables do not list the same codes ({len(missing)} only in the tables, {len(extra)} "
            f"only in the order file, e.g. {sample}): are they from the same year?"
        )
    for record in parsed.records:
        found = order.get(record.code)
        if found is not None:
            _, short, long = found
            if record.billable:
                record.long_title, record.short_title = long, short
    return parsed


def supplement_pcs_codes(parsed: ParsedCodeSet, source: str | Path | BinaryIO) -> ParsedCodeSet:
    """Add the codes of a second order file whose tables the tables file lacks, as codes without tables.

    Only for a partial demo set built from two sources (tables for some sections, a code list for the rest): the
    browser and the builder know nothing of such a code, but search, titles and the existence check do. A code of
    a table the tables file has is left to the tables (they decide what is valid there)."""
    tables = {record.code for record in parsed.records if record.kind == KIND_CATEGORY and len(record.code) == 3}
    known = {record.code for record in parsed.records}
    extra = [line for line in parse_pcs_order_lines(source) if line[1] and line[0][:3] not in tables and line[0] not in known]
    if not extra:
        return parsed
    parsed.records.extend(record for record in _order_records(extra) if record.code not in known)
    return parsed
