"""ICD-10-PCS tables as stored with a release (``Code.notes`` of a table row, see parsers/icd10pcs.py). Pure.

The code builder walks a table one character at a time: after the first three characters (the table), each
next character may take only the values of the rows that allow every character chosen so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POSITIONS = ("4", "5", "6", "7")
_VALUE = re.compile(r"^[0-9A-HJ-NP-Z]$")


@dataclass(frozen=True, slots=True)
class Choice:
    position: int  # 1-7
    title: str
    values: tuple[tuple[str, str], ...]  # (value, label)


@dataclass(frozen=True, slots=True)
class Character:
    position: int
    title: str
    value: str
    label: str  # "" when the value is not allowed here
    allowed: bool


def _rows(notes: dict) -> list[dict]:
    return list((notes or {}).get("rows") or [])


def _matches(row: dict, chosen: str) -> bool:
    for offset, value in enumerate(chosen):
        values = dict((row.get(POSITIONS[offset]) or {}).get("values") or ())
        if value not in values:
            return False
    return True


def next_choice(notes: dict, chosen: str) -> Choice | None:
    """The values the next character may take after ``chosen`` (characters 4 onwards); None when complete."""
    if len(chosen) >= 4:
        return None
    position = POSITIONS[len(chosen)]
    seen: dict[str, str] = {}
    title = ""
    for row in _rows(notes):
        if not _matches(row, chosen):
            continue
        axis = row.get(position) or {}
        title = title or axis.get("title", "")
        for value, label in axis.get("values") or ():
            seen.setdefault(value, label)
    if not seen:
        return Choice(int(position), title, ())
    return Choice(int(position), title, tuple(sorted(seen.items())))


def explain(code: str, notes: dict) -> list[Character]:
    """Every character of a code read against its table: title, label, and whether the table allows it there."""
    axes = (notes or {}).get("axes") or {}
    out: list[Character] = []
    for position in ("1", "2", "3"):
        axis = axes.get(position) or {}
        value = code[int(position) - 1] if len(code) >= int(position) else ""
        allowed = bool(value) and axis.get("value") == value
        out.append(Character(int(position), axis.get("title", ""), value, axis.get("label", "") if allowed else "",
                             allowed))
    prefix_ok = all(c.allowed for c in out)
    for offset, position in enumerate(POSITIONS):
        if len(code) < 4 + offset:
            break
        value = code[3 + offset]
        label = ""
        title = ""
        for row in _rows(notes):
            if not _matches(row, code[3:3 + offset]):
                continue
            axis = row.get(position) or {}
            title = title or axis.get("title", "")
            found = dict(axis.get("values") or ()).get(value)
            if found:
                label = found
                title = axis.get("title", title)
                break
        if not title:
            first = (_rows(notes) or [{}])[0].get(position) or {}
            title = first.get("title", f"Character {position}")
        out.append(Character(int(position), title, value, label, prefix_ok and bool(label)))
        if not label:
            prefix_ok = False
    return out


def read_code(raw: str, size: int = 7) -> tuple[str, str]:
    """(code, "") for what a user typed, upper-cased without spaces or dots; ("", message) when it is not the start of
    an ICD-10-PCS code: too long, or a character that is no ICD-10-PCS value."""
    code = "".join((raw or "").upper().split()).replace(".", "")
    if len(code) > size:
        what = "code" if size == 7 else "prefix"
        return "", (f"An ICD-10-PCS {what} has at most {size} characters; {code[:20]} has {len(code)}."
                    if size != 7 else f"An ICD-10-PCS code has 7 characters; {code[:20]} has {len(code)}.")
    for position, value in enumerate(code, start=1):
        if not _VALUE.match(value):
            hint = " (I and O are never used: they would read as 1 and 0)" if value in "IO" else ""
            return "", (f"Character {position} of {code[:20]} is {value!r}: ICD-10-PCS values are the digits 0-9 and "
                        f"the letters A-Z except I and O{hint}.")
    return code, ""


def bilateral_code(code: str, notes: dict) -> str:
    """The code of the same procedure on the bilateral body part value ("Fallopian Tubes, Bilateral" for
    "Fallopian Tube, Right"), when a row of the table allows it with the same approach, device and qualifier;
    "" otherwise (most body parts have no bilateral value: each side is coded, guideline B4.3)."""
    if len(code) != 7:
        return ""
    label = ""
    for row in _rows(notes):
        if _matches(row, code[3:]):
            label = dict((row.get("4") or {}).get("values") or ()).get(code[3], "")
            break
    part, _, side = label.rpartition(", ")
    if side.lower() not in ("right", "left") or not part:
        return ""
    wanted = {f"{part}, bilateral".lower(), f"{part}s, bilateral".lower()}
    for row in _rows(notes):
        for value, value_label in (row.get("4") or {}).get("values") or ():
            if value_label.lower() in wanted and _matches(row, value + code[4:]):
                return code[:3] + value + code[4:]
    return ""
