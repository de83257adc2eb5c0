"""The synonym, abbreviation and lay-term tables (data files, no Django).

Each line of a table reads ``term<TAB>expansion[ | expansion ...]``; ``#`` starts a
comment. A code whose title or terms contain every word of an expansion also
answers to the term: ``chf`` finds "congestive heart failure", ``broken hip``
finds "fracture ... neck of femur".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .text import content_words

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_FILES = ("synonyms.tsv", "lay_terms.tsv", "anatomy.tsv", "drugs.tsv")


@dataclass(frozen=True, slots=True)
class Synonym:
    term: tuple[str, ...]
    expansions: tuple[tuple[str, ...], ...]


def parse_synonyms(lines: Iterable[str]) -> list[Synonym]:
    table: list[Synonym] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if "\t" not in line:
            raise ValueError(f"line {number}: expected 'term<TAB>expansion', got {raw!r}")
        term_text, expansion_text = line.split("\t", 1)
        term = tuple(content_words(term_text))
        expansions = tuple(
            tuple(content_words(part)) for part in expansion_text.split("|") if content_words(part)
        )
        if not term or not expansions:
            raise ValueError(f"line {number}: empty term or expansion in {raw!r}")
        table.append(Synonym(term=term, expansions=expansions))
    return table


def load_synonyms(directory: Path = DATA_DIR, names: Iterable[str] = DEFAULT_FILES) -> list[Synonym]:
    table: list[Synonym] = []
    for name in names:
        path = directory / name
        with path.open(encoding="utf-8") as handle:
            table.extend(parse_synonyms(handle))
    return table
