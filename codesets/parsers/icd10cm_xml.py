"""ICD-10-CM Tabular List XML (the official CDC/CMS ``ICD10CM.tabular`` format).

The XML lists chapters, sections (blocks), categories and subcategories with
their instructional notes. It does not list the codes that need a 7th
character: those are expanded here from the nearest ``sevenChrDef`` up the
tree, padding shorter codes with the placeholder ``X`` (T15.01 -> T15.01XA).

Parsing goes through defusedxml: a DTD, an entity declaration or an external
reference is refused before anything else happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as defused_parse

from .records import (
    KIND_BLOCK,
    KIND_CATEGORY,
    KIND_CHAPTER,
    KIND_CODE,
    CodeRecord,
    CodeSetFormatError,
    ParsedCodeSet,
    dotted_icd,
)

ROOT_TAG = "ICD10CM.tabular"
CODE_PATTERN = re.compile(r"^[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?$")

# XML element -> key in Code.notes.
NOTE_TAGS = {
    "includes": "includes",
    "inclusionTerm": "inclusion_terms",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "sevenChrNote": "seven_chr_note",
    "notes": "notes",
}

# "7th characters D and S do not apply to codes in category S06 with 6th
# character 7 - ..., or 8 - ...": the one place the Tabular restricts a
# 7th-character table in prose. Read from the note, not hard-coded, so a new
# year's wording that still follows the pattern keeps working; the order file
# (the authority on billable codes) corrects anything else.
_EXCLUSION_HEAD = re.compile(
    r"7th characters?\s+(?P<chars>[A-Z0-9](?:(?:,\s*|\s+and\s+|\s+or\s+|,\s*and\s+|,\s*or\s+)[A-Z0-9])*)\s+"
    r"do(?:es)?\s+not\s+apply\s+to\s+codes\s+in\s+(?:category|subcategory)\s+[A-Z0-9.]+\s+with\s+6th\s+characters?\s+(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_SIXTH_VALUES = re.compile(r"(?:^|characters?\s+|,\s*or\s+|\s+or\s+|,\s*)([A-Z0-9])\s+-")

ProgressCallback = Callable[[float, str], None]


class _SeventhCharacters:
    """The 7th-character table in force for a subtree, with its prose exclusions."""

    __slots__ = ("meanings", "exclusions")

    def __init__(self, meanings: dict[str, str], exclusions: list[tuple[set[str], set[str]]]):
        self.meanings = meanings
        self.exclusions = exclusions

    def allowed(self, base: str, char: str) -> bool:
        sixth = base[5] if len(base) >= 6 else ""
        return not any(sixth in sixths and char in chars for sixths, chars in self.exclusions)


def seventh_character_exclusions(text: str) -> tuple[set[str], set[str]] | None:
    """Parse '7th characters D and S do not apply to ... with 6th character 7 - ..., or 8 - ...'."""
    match = _EXCLUSION_HEAD.search(text)
    if not match:
        return None
    chars = set(re.findall(r"[A-Z0-9]", match.group("chars").replace("and", "").replace("or", "")))
    sixths = set(_SIXTH_VALUES.findall(match.group("rest")))
    if not chars or not sixths:
        return None
    return sixths, chars


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _note_texts(element: Element) -> list[str]:
    return [_clean(note.text) for note in element.iter("note") if _clean(note.text)]


def _visual_impairment(element: Element) -> list[dict]:
    rows = []
    for category in element.iter("visCategory"):
        value = _clean(category.findtext("value")) or _clean(category.findtext("heading"))
        ranges = []
        for vis_range in category.iter("visRange"):
            maximum = vis_range.find("visMax")
            minimum = vis_range.find("visMin")
            ranges.append(
                [
                    _clean(maximum.findtext("value") or maximum.findtext("heading")) if maximum is not None else "",
                    _clean(minimum.findtext("value") or minimum.findtext("heading")) if minimum is not None else "",
                ]
            )
        rows.append({"category": value, "ranges": ranges})
    return rows


def _notes_of(element: Element) -> tuple[dict, dict[str, str] | None, list[tuple[set[str], set[str]]]]:
    """Instructional notes of one element, its own 7th-character table and exclusions."""
    notes: dict = {}
    seven: dict[str, str] | None = None
    exclusions: list[tuple[set[str], set[str]]] = []
    for child in element:
        tag = child.tag
        key = NOTE_TAGS.get(tag)
        if key:
            texts = _note_texts(child)
            if texts:
                notes.setdefault(key, []).extend(texts)
                for text in texts:
                    rule = seventh_character_exclusions(text)
                    if rule:
                        exclusions.append(rule)
        elif tag == "sevenChrDef":
            seven = {ext.get("char", "").strip(): _clean(ext.text) for ext in child.iter("extension") if ext.get("char")}
            notes["seven_chr"] = seven
        elif tag == "visualImpairment":
            notes["visual_impairment"] = _visual_impairment(child)
    return notes, seven, exclusions


class _Walker:
    def __init__(self) -> None:
        self.records: list[CodeRecord] = []
        self.seen: set[str] = set()

    def add(self, record: CodeRecord) -> None:
        if record.code in self.seen:
            raise CodeSetFormatError(f"Code {record.display_code} appears twice in the file.")
        self.seen.add(record.code)
        self.records.append(record)

    def diag(self, element: Element, *, parent: str, chapter: str, depth: int, seven: _SeventhCharacters | None) -> None:
        raw_name = _clean(element.findtext("name"))
        if not CODE_PATTERN.match(raw_name):
            raise CodeSetFormatError(f"{raw_name!r} is not a valid ICD-10-CM code (in chapter {chapter}).")
        code = raw_name.replace(".", "")
        title = _clean(element.findtext("desc"))
        if not title:
            raise CodeSetFormatError(f"Code {raw_name} has no description.")
        notes, own_seven, exclusions = _notes_of(element)
        if own_seven is not None:
            seven = _SeventhCharacters(own_seven, exclusions)
        elif exclusions and seven is not None:
            seven = _SeventhCharacters(seven.meanings, seven.exclusions + exclusions)
        children = element.findall("diag")
        expand = not children and seven is not None and bool(seven.meanings) and len(code) < 7
        record = CodeRecord(
            code=code,
            display_code=raw_name,
            long_title=title,
            kind=KIND_CATEGORY if depth == 2 else KIND_CODE,
            billable=not children and not expand,
            parent_code=parent,
            chapter=chapter,
            depth=depth,
            notes=notes,
        )
        self.add(record)
        for child in children:
            self.diag(child, parent=code, chapter=chapter, depth=depth + 1, seven=seven)
        if expand:
            base = code.ljust(6, "X")
            for char, meaning in seven.meanings.items():
                if not seven.allowed(base, char):
                    continue
                full = base + char
                self.add(
                    CodeRecord(
                        code=full,
                        display_code=dotted_icd(full),
                        long_title=f"{title}, {meaning}" if meaning else title,
                        kind=KIND_CODE,
                        billable=True,
                        parent_code=code,
                        chapter=chapter,
                        depth=depth + 1,
                    )
                )


def _block_code(section: Element) -> str:
    ident = _clean(section.get("id"))
    if not ident:
        raise CodeSetFormatError("A section (block) has no id attribute.")
    # Single-category blocks (id="B10") would collide with the category itself.
    return ident if "-" in ident else f"{ident}-{ident}"


def _strip_range(title: str) -> str:
    return re.sub(r"\s*\([A-Z0-9.]+-?[A-Z0-9.]*\)\s*$", "", title) or title


def parse_icd10cm_xml(source: str | Path | BinaryIO, *, progress: ProgressCallback | None = None) -> ParsedCodeSet:
    """Parse a Tabular List XML file into records in tabular order."""
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
        raise CodeSetFormatError(f"This is not an ICD-10-CM Tabular List file: the root element is <{root.tag}>, expected <{ROOT_TAG}>.")
    chapters = root.findall("chapter")
    if not chapters:
        raise CodeSetFormatError("The Tabular List file contains no chapters.")
    walker = _Walker()
    for index, chapter in enumerate(chapters, start=1):
        number = _clean(chapter.findtext("name"))
        if not number or len(number) > 8:
            raise CodeSetFormatError(f"Chapter {index} has no usable number.")
        notes, _, _ = _notes_of(chapter)
        walker.add(
            CodeRecord(
                code=number,
                display_code=number,
                long_title=_clean(chapter.findtext("desc")) or f"Chapter {number}",
                kind=KIND_CHAPTER,
                chapter=number,
                depth=0,
                notes=notes,
            )
        )
        for section in chapter.findall("section"):
            block = _block_code(section)
            notes, _, _ = _notes_of(section)
            walker.add(
                CodeRecord(
                    code=block,
                    display_code=block,
                    long_title=_strip_range(_clean(section.findtext("desc"))) or block,
                    kind=KIND_BLOCK,
                    parent_code=number,
                    chapter=number,
                    depth=1,
                    notes=notes,
                )
            )
            for diag in section.findall("diag"):
                walker.diag(diag, parent=block, chapter=number, depth=2, seven=None)
        if progress:
            progress(index / len(chapters), f"Read chapter {number} of {len(chapters)}")
    return ParsedCodeSet(system="icd10cm", records=walker.records)
