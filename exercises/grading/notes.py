"""Turn the code references inside Tabular notes into prefixes the engine can test.

"type 1 diabetes mellitus (E10.-)" -> "E10"; "(O24.4-)" -> "O244"; "(O10-O11, O13-O16)" ->
"O10-O11", "O13-O16" (category ranges); "(E08-E13 with .42)" is skipped (too loose to apply).
"""

from __future__ import annotations

import re
from functools import lru_cache

_PAREN = re.compile(r"\(([^()]*)\)")
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_RANGE = re.compile(rf"^({_CODE})\.?-?\s*-\s*({_CODE})\.?-?$")
_SINGLE = re.compile(rf"^({_CODE})\.?-?$")


def code_references(note: str) -> list[str]:
    """Prefixes and category ranges named in one note's parentheses."""
    refs: list[str] = []
    for group in _PAREN.findall(note or ""):
        if " with " in group or "character" in group:
            continue
        for part in group.split(","):
            part = part.strip().upper().replace(" ", "")
            if not part:
                continue
            single = _SINGLE.match(part)
            if single:
                refs.append(single.group(1).replace(".", ""))
                continue
            ranged = _RANGE.match(part)
            if ranged:
                lo, hi = ranged.group(1).replace(".", ""), ranged.group(2).replace(".", "")
                refs.append(f"{lo[:3]}-{hi[:3]}" if len(lo) == 3 and len(hi) == 3 else lo)
    return refs


def reference_matches(reference: str, code: str) -> bool:
    """Does a reference (prefix or 'A00-B99' category range) cover the code?"""
    if "-" in reference:
        lo, hi = category_range(reference)
        return lo <= code[:3] <= hi
    return code.startswith(reference)


@lru_cache(maxsize=4096)
def category_range(reference: str) -> tuple[str, str]:
    """'O10-O16' -> ('O10', 'O16'): the first and last category a range reference covers."""
    lo, hi = reference.split("-", 1)
    return lo, hi
