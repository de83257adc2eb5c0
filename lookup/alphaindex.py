"""Parser for the official CMS ICD-10-CM Alphabetic Index XML (no Django).

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

    @property
    def main_term(self) -> str:
        return self.path[0] if self.path else self.title


@dataclass(slots=True)
class ParsedIndex:
    version: str
    entries: list[IndexEntry]
    warnings: list[str] = field(default_factory=list)

    @property
    def coded_count(self) -> int:
        return sum(1 for entry in self.entries if entry.code)


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


def _flatten(element: Element, *, letter: str, parent: int | None, path: list[str], depth: int,
             entries: list[IndexEntry], warnings: list[str]) -> None:
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
    )
    entries.append(entry)
    for child in element.findall("term"):
        _flatten(child, letter=letter, parent=entry.position, path=entry.path, depth=depth + 1,
                 entries=entries, warnings=warnings)


def parse_index_xml(source: str | Path | BinaryIO) -> ParsedIndex:
    """Every term of the Index in book order, or IndexFormatError with a readable reason."""
    entries: list[IndexEntry] = []
    warnings: list[str] = []
    version = ""
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
                            f"This is not an ICD-10-CM Alphabetic Index: the root element is <{element.tag}>, "
                            f"expected <{ROOT_TAG}>."
                        )
                    root_seen = True
                continue
            depth -= 1
            if depth == 1 and element.tag == "version":
                version = _clean(element.text)
            elif depth == 2 and element.tag == "title":
                letter = _clean(element.text)
            elif depth == 2 and element.tag == "mainTerm":
                _flatten(element, letter=letter, parent=None, path=[], depth=0, entries=entries, warnings=warnings)
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
    return ParsedIndex(version=version, entries=entries, warnings=warnings[:200])
