"""Read the code references inside Tabular notes, and the titles that make a code a manifestation code.

A reference is kept as a short string so code facts stay plain, hashable data:

* ``"E10"``: a prefix ("type 1 diabetes mellitus (E10.-)", "(O24.4-)" -> ``"O244"``);
* ``"O10-O16"``: a range of categories; ``"I2570-I2573"``: a range of subcategories ("(I25.70-I25.73-)");
* a reference narrowed by its characters keeps the narrowing after a colon: the 0-based position(s) of the
  characters, ``=``, and the value or range of values they must have, or ``e=`` for the last characters:

  ==============================================================  ====================
  "(E08-E13 with .42)"                                            ``E08-E13:3=42``
  "(E08-E13 with .51-.52)"                                        ``E08-E13:3=51-52``
  "(T36-T50) with fifth or sixth character 6"                     ``T36-T50:4,5=6``
  "(T43.21 with sixth character 1-4)"                             ``T4321:5=1-4``
  "(F11-F19 with fifth to sixth characters 51)"                   ``F11-F19:4=51``
  "(S06.0X- with seventh character S)"                            ``S060X:6=S``
  "(I69. with final characters -91)"                              ``I69:e=91``
  ==============================================================  ====================

  "Final characters" are read before a 7th character (the encounter), so "(T36-T50 with final character 6)"
  matches T36.0X6A.

A narrowing that cannot be read ("with open fracture 7th character", "with fifth or sixth character to
indicate intent") is ``strict``-dependent: an Excludes1 list leaves the whole reference out (a looser reference
would flag codes the note does not name); the other notes keep it unnarrowed (a note asking for a code is better
checked loosely than not at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from .types import CODE_ALSO, CODE_FIRST, USE_ADDITIONAL, InstructionalNote

_PAREN = re.compile(r"\(([^()]*)\)")
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_RANGE = re.compile(rf"^({_CODE})\.?-?\s*-\s*({_CODE})\.?-?$")
_SINGLE = re.compile(rf"^({_CODE})\.?-?$")
_WITH = re.compile(r"(?<![A-Za-z])with\s+", re.IGNORECASE)
_AFTER_PAREN_WITH = re.compile(r"^\s*,?\s*with\s+([^,;:()]*)", re.IGNORECASE)
_LISTED_CODE = rf"{_CODE}(?:\.?-(?=[\s,;]|$))?"
_LISTED = rf"{_LISTED_CODE}(?:\s*(?:,\s*and|,\s*or|,|and|or|-|to)\s*{_LISTED_CODE})*"
# Outside parentheses the Tabular sometimes names a category in prose: "code from category E10",
# "from categories E08, E09 and E13", "peritonitis K65.-". Other letter-digit words ("vitamin B12") are not codes.
_PROSE_LIST = re.compile(
    rf"\b(?:from\s+(?:(?:categories|category|subcategory)\s+)?|(?:categories|category|subcategory)\s+)"
    rf"({_LISTED})",
)
_PROSE_DASH = re.compile(rf"(?<![\w.])({_CODE})\.-")
_PROSE_CLASSIFIED = re.compile(
    rf"\bclassifi(?:ed|able)\s+(?:in|to)\s+(?:(?:categories|category|subcategories|subcategory)\s+)?"
    rf"({_LISTED})",
)
_PROSE_LAST = re.compile(r"(?<![\w.])([A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4})-?\s*$")  # "... syndrome E72.4"

_ORDINALS = {
    "fourth": 3, "4th": 3, "fifth": 4, "5th": 4, "sixth": 5, "six": 5, "6th": 5, "seventh": 6, "7th": 6,
}
_ORD = r"(fourth|4th|fifth|5th|sixth|six|6th|seventh|7th)"
_AFTER_CATEGORY = re.compile(r"^\.([0-9A-Z]+)-?(?:\s*-\s*\.?([0-9A-Z]+)-?)?$", re.IGNORECASE)
_FINAL = re.compile(r"^final\s+characters?\s+-?([0-9A-Z]+)$", re.IGNORECASE)
_POSITIONAL = re.compile(
    rf"^{_ORD}(?:\s+(or|to)\s+{_ORD})?[\s-]+characters?\s+\.?([0-9A-Z]+)(?:\s*-\s*([0-9A-Z]+))?$", re.IGNORECASE,
)

# I.A.13: a manifestation code says so in its own title or its category's: "in diseases classified elsewhere",
# "in other (specified) diseases ...", "in infectious and parasitic diseases ...", "in conditions ...",
# "due to disease(s) ...", "associated with disorders or diseases ...", "presenting with conditions ...".
# B95-B97 ("... as the cause of diseases classified elsewhere") name the organism and are not manifestations.
_MANIFESTATION = re.compile(
    r"\b(?:in|due\s+to|associated\s+with|presenting\s+with)\s+(?:(?:[a-z\-]+|and|or)\s+){0,4}?"
    r"(?:diseases?|conditions?|disorders?)\s+classified\s+elsewhere\b",
    re.IGNORECASE,
)
_ORGANISM = re.compile(r"\bcause\s+of\s+diseases\s+classified\s+elsewhere\b", re.IGNORECASE)


def is_manifestation_title(title: str) -> bool:
    """Does a code or category title mark a manifestation code (I.A.13)?"""
    if not title or "elsewhere" not in title:
        return False
    return bool(_MANIFESTATION.search(title)) and not _ORGANISM.search(title)


def _narrowing(text: str) -> str | None:
    """'.42' / 'fifth or sixth character 6' / 'final characters -91' -> the suffix after the colon; None if unreadable."""
    text = " ".join(text.replace("}", "").split()).rstrip(" .,;:)")
    if text.startswith("."):
        match = _AFTER_CATEGORY.match(text)
        if match:
            lo, hi = match.group(1).upper(), (match.group(2) or "").upper()
            return f"3={lo}-{hi}" if hi and hi != lo and len(hi) == len(lo) else f"3={lo}"
        return None
    match = _FINAL.match(text)
    if match:
        return f"e={match.group(1).upper()}"
    match = _POSITIONAL.match(text)
    if not match:
        return None
    first, joiner, second, lo, hi = match.groups()
    start = _ORDINALS[first.lower()]
    lo = lo.upper()
    if joiner and joiner.lower() == "to":
        positions = [start]  # "fifth to sixth characters 51": the value spans the positions
    elif joiner:
        positions = [start, _ORDINALS[second.lower()]]
    else:
        positions = [start]
    if hi:
        hi = hi.upper()
        if len(hi) != len(lo):
            return None
        return f"{','.join(map(str, positions))}={lo}-{hi}"
    return f"{','.join(map(str, positions))}={lo}"


def _bases(text: str) -> list[str]:
    """Plain references (no narrowing) in a comma-separated list of codes and ranges."""
    refs: list[str] = []
    for part in re.split(r"[,;]", re.sub(r"\s+to\s+", "-", text)):
        part = part.strip().upper().replace(" ", "").rstrip(".")
        if not part:
            continue
        single = _SINGLE.match(part)
        if single:
            refs.append(single.group(1).replace(".", ""))
            continue
        ranged = _RANGE.match(part)
        if ranged:
            lo, hi = ranged.group(1).replace(".", ""), ranged.group(2).replace(".", "")
            refs.append(lo if lo == hi else f"{lo}-{hi}")
    return refs


def _narrowed(bases: list[str], narrowing_text: str, strict: bool) -> list[str]:
    suffix = _narrowing(narrowing_text)
    if suffix is None:
        return [] if strict else bases
    return [f"{base}:{suffix}" for base in bases]


def code_references(note: str, *, strict: bool = True) -> list[str]:
    """References named in one note: in its parentheses, and categories named in its prose."""
    refs: list[str] = []
    note = note or ""
    for match in _PAREN.finditer(note):
        group = match.group(1)
        pieces = _WITH.split(group, maxsplit=1)
        if len(pieces) == 2:  # "(E08-E13 with .42)"
            bases = _bases(pieces[0])
            if bases:
                refs.extend(_narrowed(bases, pieces[1], strict))
            continue
        bases = _bases(group)
        if not bases:
            continue
        trailing = _AFTER_PAREN_WITH.match(note[match.end():])
        if trailing:  # "(T36-T50) with fifth or sixth character 6"
            refs.extend(_narrowed(bases, trailing.group(1), strict))
        else:
            refs.extend(bases)
    prose = _PAREN.sub(" ", note)
    if "for codes" in prose:  # "use additional code, if applicable, for codes G31.0-G31.83, ...": a scope, not a reference
        prose = prose.split("for codes", 1)[0]
    for pattern in (_PROSE_LIST, _PROSE_CLASSIFIED):
        for match in pattern.finditer(prose):
            listed = re.sub(r"\s*,?\s*\b(?:and|or)\s+", ",", match.group(1))
            bases = _bases(listed)
            trailing = _AFTER_PAREN_WITH.match(prose[match.end():])
            if trailing:  # "see categories E08-E10, E11, E13 with ketoacidosis"
                bases = _narrowed(bases, trailing.group(1), strict)
            refs.extend(ref for ref in bases if ref not in refs)
    found = [match.group(1) for match in _PROSE_DASH.finditer(prose)]
    last = _PROSE_LAST.search(prose)
    if last:
        found.append(last.group(1))
    for code in found:
        ref = code.replace(".", "")
        if ref not in refs and not any(reference_matches(other, ref) for other in refs):
            refs.append(ref)
    return refs


@dataclass(frozen=True, slots=True)
class CodeRef:
    """A parsed reference: which codes it covers."""

    lo: str
    hi: str  # equal to lo for a single prefix
    first_category: str
    last_category: str
    offsets: tuple[int, ...] = ()
    value_lo: str = ""
    value_hi: str = ""
    ending: str = ""

    def matches(self, code: str) -> bool:
        lo, hi = self.lo, self.hi
        if lo == hi:
            if not code.startswith(lo):
                return False
        elif code[:len(lo)] < lo or code[:len(hi)] > hi:
            return False
        if self.offsets:
            size = len(self.value_lo)
            for offset in self.offsets:
                part = code[offset:offset + size]
                if len(part) == size and self.value_lo <= part <= self.value_hi:
                    break
            else:
                return False
        if self.ending:
            stem = code[:6] if len(code) == 7 else code
            if not stem.endswith(self.ending):
                return False
        return True


@lru_cache(maxsize=16384)
def parse_reference(reference: str) -> CodeRef:
    base, _, narrowing = reference.partition(":")
    lo, _, hi = base.partition("-")
    hi = hi or lo
    offsets: tuple[int, ...] = ()
    value_lo = value_hi = ending = ""
    if narrowing:
        where, _, value = narrowing.partition("=")
        if where == "e":
            ending = value
        else:
            offsets = tuple(int(n) for n in where.split(","))
            value_lo, _, value_hi = value.partition("-")
            value_hi = value_hi or value_lo
    return CodeRef(lo, hi, lo[:3], hi[:3], offsets, value_lo, value_hi, ending)


def reference_matches(reference: str, code: str) -> bool:
    """Does a reference (see the module docstring) cover the code?"""
    return parse_reference(reference).matches(code)


@lru_cache(maxsize=4096)
def category_range(reference: str) -> tuple[str, str]:
    """'O10-O16' -> ('O10', 'O16'): the first and last category a reference covers."""
    parsed = parse_reference(reference)
    return parsed.first_category, parsed.last_category


_NOTE_LABELS = ((CODE_FIRST, "Code first"), (USE_ADDITIONAL, "Use additional code"), (CODE_ALSO, "Code also"))
_CONDITIONAL = re.compile(r"\b(?:if|such as|any|when|where|e\.g\.)\b", re.IGNORECASE)


def note_text(label: str, texts: list[str]) -> str:
    """'Code first' + ['underlying disease, such as:', 'amyloidosis (E85.-)', ...] -> one sentence as printed."""
    if label == "Use additional code" and texts and texts[0].lower().startswith("code"):
        label = "Use additional"  # the file's text goes on "code to identify ..." or "code(s) from ..."
    out = label
    for n, text in enumerate(texts):
        if n == 0:
            out += text if text[:1] in ",:;" else f" {text}"
        else:
            out += f" {text}" if out.endswith(":") else f"; {text}"
    return out


def instructional_notes(source: str, notes: Mapping[str, list[str]] | None) -> tuple[InstructionalNote, ...]:
    """The "Code first", "Use additional code" and "Code also" notes of one Tabular row (``Code.notes``)."""
    found: list[InstructionalNote] = []
    for kind, label in _NOTE_LABELS:
        groups: list[list[str]] = []
        for text in (notes or {}).get(kind) or ():
            # The file keeps a row's notes of one kind in one list; "code to identify ..." starts another note.
            if text and (not groups or text.lower().startswith("code")):
                groups.append([text])
            elif text:
                groups[-1].append(text)
        found.extend(_instructional_note(kind, label, source, texts) for texts in groups)
    return tuple(found)


def _instructional_note(kind: str, label: str, source: str, texts: list[str]) -> InstructionalNote:
    references: list[str] = []
    items_with_codes = 0
    for text in texts:
        refs = code_references(text, strict=False)
        if refs:
            items_with_codes += 1
        references.extend(ref for ref in refs if ref not in references)
    joined = " ".join(texts)
    # A list of several circumstances ("heart failure complicating pregnancy (O..), due to hypertension (I11.0)")
    # is a choice among those that apply, like "if applicable" and "such as".
    conditional = bool(_CONDITIONAL.search(joined)) or items_with_codes > 1
    return InstructionalNote(kind, source, note_text(label, texts), tuple(references), conditional)
