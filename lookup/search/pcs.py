"""ICD-10-PCS search by words: "laparoscopic appendectomy" -> 0DTJ4ZZ. Pure (no Django).

PCS codes are built, not looked up: a query is read as the axes of a code, then each table is asked for the code
that fits best. The reading uses three data tables (lookup/data/pcs_*.tsv):

* procedure words -> root operations (appendectomy: Resection of the appendix; -otomy: Division or Drainage;
  biopsy: Excision, Extraction or Drainage with the qualifier Diagnostic; stent: Dilation with an Intraluminal
  Device; -scopy: Inspection, unless the query names another operation), with a body part, approach, device or
  qualifier when the word implies one;
* body part words and stems -> the words of body part labels (colon: Large Intestine; nephr-: Kidney);
* approach words -> approach labels (laparoscopic: Percutaneous Endoscopic).

Every table whose root operation the query names is scored; within a table each row is a product of value sets,
so the best codes of a row are the best values of each axis: body part labels by the query words they share
(and the words they add), the approach, device and qualifier by what the query asks for, else the plain values
(No Device, No Qualifier). Without a named operation every table is scored on the body part alone.
"""

from __future__ import annotations

import heapq
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_WORD = re.compile(r"[a-z0-9]+")
SIDES = frozenset({"right", "left", "bilateral"})
STOP = frozenset({"of", "the", "a", "an", "and", "with", "w", "via", "for", "to", "in", "on", "by", "procedure",
                  "approach", "total", "complete", "simple", "surgery", "surgical", "operation"})
SUFFIXES = ("ectomy", "otomy", "ostomy", "plasty", "rrhaphy", "pexy", "lysis", "tripsy", "scopy")


def words(text: str) -> list[str]:
    """Lower-case words, a plural s dropped ("Tonsils" and "tonsil" meet)."""
    out = []
    for word in _WORD.findall((text or "").lower()):
        if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        out.append(word)
    return out


@dataclass(frozen=True, slots=True)
class OperationTerm:
    term: tuple[str, ...]
    operations: tuple[str, ...]
    fallback: bool  # "?Inspection": only when the query names no other operation
    body: tuple[tuple[str, ...], ...] = ()  # alternatives: each the words of one body part label
    approach: str = ""
    device: str = ""
    qualifier: str = ""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    operations: dict[tuple[str, ...], OperationTerm]
    body_parts: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    stems: dict[str, tuple[tuple[str, ...], ...]]
    approaches: dict[tuple[str, ...], str]


def _rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].rstrip()
        if line.strip():
            yield number, line.split("\t")


def load_vocabulary(directory: Path = DATA_DIR) -> Vocabulary:
    operations: dict[tuple[str, ...], OperationTerm] = {}
    for number, cells in _rows(directory / "pcs_operations.tsv"):
        if len(cells) > 6:
            raise ValueError(f"pcs_operations.tsv line {number}: at most 6 columns, found {len(cells)}")
        cells = cells + [""] * (6 - len(cells))
        term, ops = tuple(words(cells[0])), cells[1].strip()
        if not term or not ops:
            raise ValueError(f"pcs_operations.tsv line {number}: a term and at least one root operation are needed")
        fallback = ops.startswith("?")
        operations[term] = OperationTerm(
            term=term, operations=tuple(op.strip() for op in ops.lstrip("?").split("|") if op.strip()),
            fallback=fallback, body=tuple(tuple(words(part)) for part in cells[2].split("|") if words(part)), approach=cells[3].strip(), device=cells[4].strip(),
            qualifier=cells[5].strip())
    body_parts: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    stems: dict[str, tuple[tuple[str, ...], ...]] = {}
    for number, cells in _rows(directory / "pcs_body_parts.tsv"):
        if len(cells) != 2:
            raise ValueError(f"pcs_body_parts.tsv line {number}: expected 'term<TAB>label words'")
        expansions = tuple(tuple(words(part)) for part in cells[1].split("|") if words(part))
        if cells[0].strip().endswith("-"):
            stems[cells[0].strip()[:-1].lower()] = expansions
        else:
            body_parts[tuple(words(cells[0]))] = expansions
    approaches: dict[tuple[str, ...], str] = {}
    for number, cells in _rows(directory / "pcs_approaches.tsv"):
        if len(cells) != 2:
            raise ValueError(f"pcs_approaches.tsv line {number}: expected 'term<TAB>approach label'")
        approaches[tuple(words(cells[0]))] = cells[1].strip()
    return Vocabulary(operations, body_parts, stems, approaches)


@dataclass(slots=True)
class Reading:
    """What a query asks for, axis by axis."""

    operations: list[str] = field(default_factory=list)  # first named first: it wins a tie
    fallback_operations: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # words to find in body part labels
    body_alternatives: tuple[tuple[str, ...], ...] = ()  # from a procedure word: one of these labels
    approach: str = ""
    device: str = ""
    qualifier: str = ""

    @property
    def wanted_operations(self) -> list[str]:
        return self.operations or self.fallback_operations

    def body_options(self) -> list[list[str]]:
        if not self.body_alternatives:
            return [self.body]
        return [list(alternative) + self.body for alternative in self.body_alternatives]


def _stem_body(word: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    for size in range(len(word), 2, -1):
        found = vocabulary.stems.get(word[:size])
        if found:
            return found[0]
    return ()


def _apply(reading: Reading, term: OperationTerm) -> None:
    target = reading.fallback_operations if term.fallback else reading.operations
    target.extend(op for op in term.operations if op not in target)
    if term.body and not reading.body_alternatives:
        reading.body_alternatives = term.body
    reading.approach = reading.approach or term.approach
    reading.device = reading.device or term.device
    reading.qualifier = reading.qualifier or term.qualifier


def read_query(query: str, vocabulary: Vocabulary) -> Reading:
    tokens = words(query)
    reading = Reading()
    position = 0
    while position < len(tokens):
        matched = False
        for size in (3, 2, 1):
            chunk = tuple(tokens[position:position + size])
            if len(chunk) != size:
                continue
            if chunk in vocabulary.approaches:
                reading.approach = reading.approach or vocabulary.approaches[chunk]
            elif chunk in vocabulary.operations:
                _apply(reading, vocabulary.operations[chunk])
            elif chunk in vocabulary.body_parts:
                reading.body.extend(vocabulary.body_parts[chunk][0])
            else:
                continue
            position += size
            matched = True
            break
        if matched:
            continue
        word = tokens[position]
        position += 1
        if word in STOP:
            continue
        suffix = next((s for s in SUFFIXES if word.endswith(s) and len(word) > len(s) + 2), "")
        if suffix:
            _apply(reading, vocabulary.operations[(suffix,)])
            stem = _stem_body(word[: -len(suffix)], vocabulary)
            if stem and not reading.body_alternatives:
                reading.body_alternatives = (stem,)
            if suffix == "scopy" and not reading.approach:
                reading.approach = "Via Natural or Artificial Opening Endoscopic"
            continue
        reading.body.append(word)
    return reading


@dataclass(frozen=True, slots=True)
class PcsTable:
    """One table as the search sees it: its code prefix, labels, and rows of (value, label) per axis 4-7."""

    prefix: str
    operation: str
    body_system: str
    rows: tuple[tuple[tuple[tuple[str, str], ...], ...], ...]


def table_from_notes(prefix: str, notes: dict) -> PcsTable | None:
    """A PcsTable from a release's stored table (``Code.notes`` of the 3-character row); None without rows."""
    axes = (notes or {}).get("axes") or {}
    rows = []
    for row in (notes or {}).get("rows") or ():
        rows.append(tuple(tuple((str(v), str(label)) for v, label in (row.get(p) or {}).get("values") or ())
                          for p in ("4", "5", "6", "7")))
    if not rows:
        return None
    return PcsTable(prefix=prefix, operation=str((axes.get("3") or {}).get("label", "")),
                    body_system=str((axes.get("2") or {}).get("label", "")), rows=tuple(rows))


@dataclass(frozen=True, slots=True)
class PcsHit:
    code: str
    title: str
    score: float


class PcsIndex:
    def __init__(self, tables: Iterable[PcsTable], vocabulary: Vocabulary | None = None):
        self.tables = sorted(tables, key=lambda t: t.prefix)
        self.vocabulary = vocabulary or load_vocabulary()
        self.by_operation: dict[str, list[PcsTable]] = {}
        for table in self.tables:
            self.by_operation.setdefault(table.operation.lower(), []).append(table)
        self._label_words: dict[str, tuple[str, ...]] = {}
        # Every word of a table's body part and body system labels: a table none of whose words the query has
        # cannot fit it, and is not scored.
        self.table_words: dict[str, frozenset[str]] = {
            table.prefix: frozenset(w for row in table.rows for _, label in row[0] for w in self.label_words(label))
            | frozenset(self.label_words(table.body_system))
            for table in self.tables
        }

    def label_words(self, label: str) -> tuple[str, ...]:
        found = self._label_words.get(label)
        if found is None:
            found = self._label_words[label] = tuple(w for w in words(label) if w not in STOP)
        return found


def _body_score(label_words: tuple[str, ...], options: list[list[str]], system_words: frozenset[str]) -> float:
    best = None
    label_set = set(label_words)
    for wanted in options:
        if not wanted:
            continue
        hit = sum((1.0 if word in SIDES else 2.0) for word in wanted if word in label_set or word in system_words)
        extra = sum(1 for word in label_set if word not in wanted)
        score = hit - 0.4 * extra
        best = score if best is None else max(best, score)
    return best or 0.0


def _axis_score(label: str, wanted: str, plain: str) -> float:
    if wanted:
        if label.lower() == wanted.lower():
            return 3.0
        return 1.5 if wanted.lower() in label.lower() else -1.0
    if label.lower() == plain:
        return 0.5
    return -0.5 if label.lower() == "diagnostic" else 0.0


def _best(values: tuple[tuple[str, str], ...], score, keep: int) -> list[tuple[float, str, str]]:
    scored = [(score(label), value, label) for value, label in values]
    return heapq.nlargest(keep, scored, key=lambda item: (item[0], -ord(item[1][0])))


def pcs_search(index: PcsIndex, query: str, *, limit: int = 10) -> list[PcsHit]:
    """The codes that best fit the query's words, best first (empty when the query reads as no procedure)."""
    reading = read_query(query, index.vocabulary)
    wanted_ops = [op.lower() for op in reading.wanted_operations]
    options = reading.body_options()
    body = any(options)
    if not wanted_ops:
        # Body part words alone ("peripheral vein", "appendix") name no procedure to build: the titles answer them,
        # and a procedure outside these tables ("transfusion of red cells") is found there too.
        return []
    tables = [(t, 0.3 if rank == 0 else 0.0) for rank, op in enumerate(wanted_ops)
              for t in index.by_operation.get(op, ())]
    if body:
        asked = {word for option in options for word in option if word not in SIDES}
        tables = [(t, bonus) for t, bonus in tables if asked & index.table_words[t.prefix]]
    found: list[tuple] = []  # a min-heap of the best ``limit`` codes: (score, tie-break, code, operation, values)
    for table, bonus in tables:
        system_words = frozenset(index.label_words(table.body_system))
        for body_parts, approaches, devices, qualifiers in table.rows:
            parts = _best(body_parts, lambda label: _body_score(index.label_words(label), options, system_words), 3)
            if body and parts and parts[0][0] <= 0:
                continue  # no word of the query names a body part of this row
            ways = _best(approaches, lambda label: _axis_score(label, reading.approach, ""), 2)
            kinds = _best(devices, lambda label: _axis_score(label, reading.device, "no device"), 2)
            quals = _best(qualifiers, lambda label: _axis_score(label, reading.qualifier, "no qualifier"), 2)
            if not (parts and ways and kinds and quals):
                continue
            if len(found) >= limit and bonus + parts[0][0] + ways[0][0] + kinds[0][0] + quals[0][0] < found[0][0]:
                continue  # even this row's best code would not make the list
            for combo in itertools.product(parts, ways, kinds, quals):
                score = bonus + sum(item[0] for item in combo)
                if len(found) >= limit and score < found[0][0]:
                    continue
                code = table.prefix + "".join(item[1] for item in combo)
                entry = (score, tuple(-ord(c) for c in code), code, table.operation, combo)
                if len(found) < limit:
                    heapq.heappush(found, entry)
                else:
                    heapq.heappushpop(found, entry)
    hits = []
    for score, _, code, operation, combo in sorted(found, reverse=True):
        title = ", ".join([operation] + [item[2] for item in combo if item[2].lower() not in ("no device", "no qualifier")])
        hits.append(PcsHit(code=code, title=title, score=round(score, 2)))
    return hits
