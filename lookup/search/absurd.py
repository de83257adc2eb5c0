"""External-cause codes and queries that describe an injury event (no Django).

External-cause codes (V00-Y99) say how an injury happened. A query that names a condition
("flu shot", "burning urination") wants disease codes first; only a query that describes an
event (a fall, a bite, a collision) may rank that chapter among the first answers.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .text import content_words, normalize_code

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
EVENT_FILE = "injury_events.tsv"
EXTERNAL_CAUSE_LETTERS = frozenset("VWXY")


@lru_cache(maxsize=1)
def injury_event_words() -> frozenset[str]:
    words: set[str] = set()
    for raw in (DATA_DIR / EVENT_FILE).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0]
        if line.strip():
            words.add(line.split("\t", 1)[0].strip().lower())
    return frozenset(words)


def is_external_cause(code: str, system: str = "icd10cm") -> bool:
    """V00-Y99 in ICD-10-CM (with or without the dot); no other code system has the chapter."""
    return system == "icd10cm" and len(code) >= 3 and code[0] in EXTERNAL_CAUSE_LETTERS and code[1:3].isdigit()


def describes_injury_event(query: str) -> bool:
    """The query names how an injury happened (or is a code), so external-cause codes are welcome."""
    if normalize_code(query.strip()):
        return True
    events = injury_event_words()
    return any(word in events for word in content_words(query))


def absurd_hit(query: str, code: str, system: str = "icd10cm") -> bool:
    """An external-cause code answering a query that describes no injury event."""
    return is_external_cause(code, system) and not describes_injury_event(query)
