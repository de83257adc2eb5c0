"""Parsers for the official CMS ICD-10-CM Alphabetic Index files (no Django).

Four files share one root element, ``ICD10CM.index``:

* ``icd10cm_index_<FY>.xml``: the Index to Diseases and Injuries;
* ``icd10cm_eindex_<FY>.xml``: the External Cause of Injuries Index, the same shape;
* ``icd10cm_neoplasm_<FY>.xml``: the Neoplasm Table;
* ``icd10cm_drug_<FY>.xml``: the Table of Drugs and Chemicals.

Shape of the file (``ICD10CM.index``)::

    <letter><title>A</title>
      <mainTerm><title>Abasia <nemod>(-astasia) (hysterical)</nemod></title><code>F44.4</code></mainTerm>
      <mainTerm><title>Abandonment</title><see>Maltreatment</see></mainTerm>
      <mainTerm><title>Abdomen, abdominal</title><seeAlso>condition</seeAlso>
        <term level="1"><title>acute</title><code>R10.0</code>
          <term level="2">...</term></term>
      </mainTerm>
    </letter>

A main term's own ``<code>`` is its default code; subterms nest to any depth.
``<manif>`` carries a manifestation code shown in brackets in the book. The
file is read incrementally through defusedxml (no DTDs, entities or external
references) so a 30 MB index never sits in memory as one tree.

The two tables add an ``<indexHeading>`` whose ``<head>`` elements name the
columns, and ``<cell col="2">`` .. ``<cell col="7">`` on every row (a main term
or subterm) that has codes; a cell of ``-`` or ``--`` (or none) means the column
has no code for that row::

    <indexHeading><head>Neoplasm, neoplastic</head><head>Malignant Primary</head>...</indexHeading>
    <letter><title>L</title>
      <mainTerm><title>liver</title>
        <cell col="2">C22.9</cell><cell col="3">C78.7</cell>...<cell col="7">D49.0</cell>
        <term level="1"><title>primary</title><cell col="2">C22.8</cell>...</term>
      </mainTerm>
    </letter>
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

ROOT_TAG = "ICD10CM.index"

# The four files, as stored: IndexTerm.table / IndexSource.table.
TABLE_INDEX = "index"
TABLE_EINDEX = "eindex"
TABLE_NEOPLASM = "neoplasm"
TABLE_DRUG = "drug"
TABLE_NAMES = {
    TABLE_INDEX: "Index to Diseases and Injuries",
    TABLE_EINDEX: "External Cause Index",
    TABLE_NEOPLASM: "Neoplasm Table",
    TABLE_DRUG: "Table of Drugs and Chemicals",
}
TABLE_KINDS = tuple(TABLE_NAMES)


@dataclass(frozen=True, slots=True)
class TableColumn:
    """A code column of the Neoplasm Table or the Table of Drugs and Chemicals (``<cell col="2">`` .. ``7``)."""

    key: str
    label: str


NEOPLASM_COLUMNS = (
    TableColumn("malignant_primary", "Malignant Primary"),
    TableColumn("malignant_secondary", "Malignant Secondary"),
    TableColumn("in_situ", "Ca in situ"),
    TableColumn("benign", "Benign"),
    TableColumn("uncertain", "Uncertain Behavior"),
    TableColumn("unspecified", "Unspecified Behavior"),
)
DRUG_COLUMNS = (
    TableColumn("accidental", "Poisoning, Accidental (unintentional)"),
    TableColumn("self_harm", "Poisoning, Intentional self-harm"),
    TableColumn("assault", "Poisoning, Assault"),
    TableColumn("undetermined", "Poisoning, Undetermined"),
    TableColumn("adverse", "Adverse effect"),
    TableColumn("underdosing", "Underdosing"),
)
TABLE_COLUMNS = {TABLE_NEOPLASM: NEOPLASM_COLUMNS, TABLE_DRUG: DRUG_COLUMNS}
# The main term the Neoplasm Table's rows belong to: its sites are subterms of it in the Index.
NEOPLASM_MAIN_TERM = "Neoplasm, neoplastic"
_NO_CODE = {"", "-", "--", "\u2014", "\u2013"}
MAX_TERMS = 500_000
MAX_DEPTH = 12
_CODE_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z-]{0,4})?-?$")
_SPACES = re.compile(r"\s+")


class IndexFormatError(ValueError):
    """The file is not a usable Alphabetic Index; the message is shown to the person importing it."""


@dataclass(slots=True)
class IndexEntry:
    """One main term or subterm, flattened in book order; ``parent`` is the position of its parent."""

    position: int
    parent: int | None
    letter: str
    level: int
    title: str
    nemod: str = ""
    code: str = ""
    manif_code: str = ""
    see: str = ""
    see_also: str = ""
    path: list[str] = field(default_factory=list)
    # Neoplasm and drug tables: one code (or "") per column, in TABLE_COLUMNS order.
    cells: list[str] = field(default_factory=list)

    @property
    def main_term(self) -> str:
        return self.path[0] if self.path else self.title


@dataclass(slots=True)
class ParsedIndex:
    version: str
    entries: list[IndexEntry]
    warnings: list[str] = field(default_factory=list)
    table: str = TABLE_INDEX
    title: str = ""

    @property
    def coded_count(self) -> int:
        return sum(1 for entry in self.entries if entry.code or any(entry.cells))


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _title_parts(element: Element | None) -> tuple[str, str]:
    """(title text, nonessential modifiers) of a <title> that may hold <nemod> children."""
    if element is None:
        return "", ""
    text = element.text or ""
    nemod = []
    for child in element:
        if child.tag == "nemod":
            nemod.append(_clean("".join(child.itertext())))
        else:
            text += "".join(child.itertext())
        text += child.tail or ""
    return _clean(text), _clean(" ".join(nemod))


def _code(text: str | None, where: str, warnings: list[str]) -> str:
    code = _clean(text).upper()
    if code and not _CODE_RE.match(code):
        warnings.append(f"Ignored {code!r}: not an ICD-10-CM code ({where}).")
        return ""
    return code


def _cells(element: Element, where: str, warnings: list[str]) -> list[str]:
    """The six column codes of a table row ("" where the table prints a dash)."""
    cells = [""] * 6
    for cell in element.findall("cell"):
        try:
            column = int(cell.get("col", ""))
        except ValueError:
            raise IndexFormatError(
                f"A cell of {where!r} has no usable column number (col={cell.get('col')!r})."
            ) from None
        if not 2 <= column <= 7:
            raise IndexFormatError(f"A cell of {where!r} names column {column}; the tables have columns 2 to 7.")
        text = _clean("".join(cell.itertext()))
        if text in _NO_CODE:
            continue
        cells[column - 2] = _code(text, f"{where}, column {column}", warnings)
    return cells if any(cells) else []


def _flatten(element: Element, *, letter: str, parent: int | None, path: list[str], depth: int,
             entries: list[IndexEntry], warnings: list[str], with_cells: bool = False) -> None:
    if depth > MAX_DEPTH:
        raise IndexFormatError(f"Terms under {path[0]!r} nest deeper than {MAX_DEPTH} levels.")
    if len(entries) >= MAX_TERMS:
        raise IndexFormatError(f"The file holds more than {MAX_TERMS:,} terms.")
    title, nemod = _title_parts(element.find("title"))
    if not title:
        raise IndexFormatError(f"A term under {' > '.join(path) or 'letter ' + letter} has no title.")
    where = " > ".join(path + [title])
    entry = IndexEntry(
        position=len(entries),
        parent=parent,
        letter=letter,
        level=depth,
        title=title,
        nemod=nemod,
        code=_code(element.findtext("code"), where, warnings),
        manif_code=_code(element.findtext("manif"), where, warnings),
        see=_clean("".join(element.find("see").itertext())) if element.find("see") is not None else "",
        see_also=_clean("".join(element.find("seeAlso").itertext())) if element.find("seeAlso") is not None else "",
        path=path + [title],
        cells=_cells(element, where, warnings) if with_cells else [],
    )
    entries.append(entry)
    for child in element.findall("term"):
        _flatten(child, letter=letter, parent=entry.position, path=entry.path, depth=depth + 1,
                 entries=entries, warnings=warnings, with_cells=with_cells)


def _table_of_heading(heads: list[str]) -> str:
    text = " ".join(heads).lower()
    if "malignant" in text or "in situ" in text or "benign" in text:
        return TABLE_NEOPLASM
    if "poisoning" in text or "adverse" in text or "underdosing" in text:
        return TABLE_DRUG
    return ""


def _table_of_name(name: str) -> str:
    name = name.lower()
    for table in (TABLE_EINDEX, TABLE_NEOPLASM, TABLE_DRUG):
        if f"_{table}" in name or name.startswith(table):
            return table
    return ""


def parse_index_file(source: str | Path | BinaryIO, *, table: str | None = None, file_name: str = "") -> ParsedIndex:
    """Any of the four Index files, or IndexFormatError with a readable reason.

    Which file it is comes from its content: the column headings of the two tables, the title
    of the External Cause Index. ``file_name`` (``icd10cm_eindex_2026.xml``) settles a file that
    says neither. With ``table`` the file must be that one.
    """
    if table is not None and table not in TABLE_KINDS:
        raise ValueError(f"Unknown Index table {table!r}")
    entries: list[IndexEntry] = []
    warnings: list[str] = []
    heads: list[str] = []
    version = ""
    title = ""
    letter = ""
    depth = 0
    root_seen = False
    try:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True,
                                        forbid_entities=True, forbid_external=True):
            if event == "start":
                depth += 1
                if depth == 1:
                    if element.tag != ROOT_TAG:
                        raise IndexFormatError(
                            f"This is not an ICD-10-CM Alphabetic Index file: the root element is <{element.tag}>, "
                            f"expected <{ROOT_TAG}>."
                        )
                    root_seen = True
                continue
            depth -= 1
            if depth == 1 and element.tag == "version":
                version = _clean(element.text)
            elif depth == 1 and element.tag == "title":
                title = _clean("".join(element.itertext()))
            elif element.tag == "indexHeading" and depth in (1, 2):
                if not heads:
                    heads = [_clean("".join(head.itertext())) for head in element.findall("head")]
                element.clear()
            elif depth == 2 and element.tag == "title":
                letter = _clean(element.text)
            elif depth == 2 and element.tag == "mainTerm":
                _flatten(element, letter=letter, parent=None, path=[], depth=0, entries=entries, warnings=warnings,
                         with_cells=True)
                element.clear()
            elif depth == 1 and element.tag == "letter":
                element.clear()
    except DefusedXmlException as exc:
        raise IndexFormatError(
            "The XML file declares a DTD, entities or external references; such files are refused for safety "
            f"({type(exc).__name__})."
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise IndexFormatError(f"The file is not well-formed XML (line {line}, column {column}).") from None
    if not root_seen:
        raise IndexFormatError("The file is empty.")
    if not entries:
        raise IndexFormatError("The file contains no index terms.")

    found = _table_of_heading(heads)
    if not found and heads:
        raise IndexFormatError(
            f"The column headings ({', '.join(heads[:7])}) are neither the Neoplasm Table's nor the Table of Drugs'."
        )
    if not found and "external cause" in title.lower():
        found = TABLE_EINDEX
    has_cells = any(entry.cells for entry in entries)
    if not found:
        found = _table_of_name(file_name) or table or ""
        if found in TABLE_COLUMNS and not has_cells:
            raise IndexFormatError(f"The file has no table cells, so it is not the {TABLE_NAMES[found]}.")
        found = found or TABLE_INDEX
    if table is not None and found != table:
        raise IndexFormatError(f"This file is the {TABLE_NAMES[found]}, not the {TABLE_NAMES[table]}.")
    if found in TABLE_COLUMNS:
        if heads and len(heads) != 7:
            warnings.append(f"The table has {len(heads)} column headings; expected the term and six code columns.")
        if not has_cells:
            raise IndexFormatError(f"The {TABLE_NAMES[found]} has no codes in any of its columns.")
    elif has_cells:
        raise IndexFormatError(f"The {TABLE_NAMES[found]} has table cells without column headings.")
    return ParsedIndex(version=version, entries=entries, warnings=warnings[:200], table=found, title=title)


def parse_index_xml(source: str | Path | BinaryIO) -> ParsedIndex:
    """Every term of the Index to Diseases and Injuries (or the External Cause Index) in book order."""
    parsed = parse_index_file(source)
    if parsed.table in TABLE_COLUMNS:
        raise IndexFormatError(f"This file is the {TABLE_NAMES[parsed.table]}, not the Alphabetic Index.")
    return parsed


def parse_neoplasm_xml(source: str | Path | BinaryIO) -> ParsedIndex:
    return parse_index_file(source, table=TABLE_NEOPLASM)


def parse_drug_xml(source: str | Path | BinaryIO) -> ParsedIndex:
    return parse_index_file(source, table=TABLE_DRUG)


def parse_eindex_xml(source: str | Path | BinaryIO) -> ParsedIndex:
    return parse_index_file(source, table=TABLE_EINDEX, file_name="icd10cm_eindex.xml")
