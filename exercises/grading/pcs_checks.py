"""ICD-10-PCS guideline checks that can be read off the codes of a key or an answer. Pure.

Each check returns the lines it concerns and a ``GuidelineCheck`` citing the ICD-10-PCS guideline:

* ``pcs_duplicate`` (B3.2): the same code on two lines. Right only when the same root operation was repeated on
  separate, distinct body parts that share one body part value (B3.2b); otherwise the procedure is coded once.
* ``pcs_inspection`` (B3.11a, B3.11c): an Inspection beside another procedure of the same body system by the same
  approach: an inspection done to achieve another procedure is not coded separately; an inspection by a different
  approach is. Of the same body part value it says so; of another body part it asks (the inspection may be of a
  separate site).
* ``pcs_coronary_arteries`` (B4.4): two lines of one coronary procedure (same root operation, approach, device and
  qualifier on the coronary artery body part): one code, with the number of arteries, is reported.
* ``pcs_bilateral`` (B4.3): the identical procedure on the right and left body part where the table has a
  bilateral value for it (``CodeFacts.pcs_bilateral``, read from the table's rows).
* ``pcs_value_not_in_table`` (A9 of the conventions: a code takes its characters 4 to 7 from one row of its
  table): a character of a code missing from a partial release that no row of its table there allows after the
  ones before it: a warning to check the official tables, never a verdict.

Checks that need the operative note (B4.7 fingers and toes, B3.4 biopsy followed by a definitive procedure at
the same site) are left to the rationale.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

from .types import CodeFacts, GuidelineCheck

MEDICAL_SURGICAL = "0"
INSPECTION = "J"
HEART_AND_GREAT_VESSELS = "2"
CORONARY_ARTERY_VALUES = "0123"  # Coronary Artery, One / Two / Three / Four or More Arteries
POSITION_NAMES = ("Section", "Body System", "Root Operation", "Body Part", "Approach", "Device", "Qualifier")
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th")


def _label(facts: CodeFacts | None, position: int) -> str:
    if facts is not None and len(facts.axes) == 7:
        return facts.axes[position][1]
    return ""


def _named(code: str, facts: CodeFacts | None, position: int) -> str:
    label = _label(facts, position)
    return f"{label} ({code[position]})" if label else code[position]


def pcs_guideline_checks(
    lines: Sequence[tuple[int, str]],
    facts: Mapping[str, CodeFacts],
) -> list[tuple[tuple[int, ...], GuidelineCheck]]:
    """The checks that fire on the ICD-10-PCS lines ``(line index, code)``; each with the indexes it concerns.

    ``facts``: what the release says about the codes (axis labels and the bilateral code, from the tables). A code
    with a character no row allows has facts only in a partial release (the oracle's "not checked" facts): in a
    complete one it is not a code, which the validity check already says.
    """
    lines = [(index, code) for index, code in lines if len(code) == 7]
    found: list[tuple[tuple[int, ...], GuidelineCheck]] = []
    found.extend(_duplicates(lines))
    found.extend(_inspections(lines, facts))
    found.extend(_coronary(lines, facts))
    found.extend(_bilateral(lines, facts))
    found.extend(_not_in_table(lines, facts))
    return found


def _duplicates(lines):
    by_code: dict[str, list[int]] = defaultdict(list)
    for index, code in lines:
        by_code[code].append(index)
    for code, indexes in by_code.items():
        if len(indexes) > 1:
            yield tuple(indexes), GuidelineCheck(
                "pcs_duplicate", (code,),
                f"{code} is on {len(indexes)} lines. A procedure is coded once, unless the same root operation was "
                "repeated on separate, distinct body parts that share one body part value.", "ICD-10-PCS B3.2b")


def _inspections(lines, facts):
    reported: set[tuple[str, str]] = set()
    for index, code in lines:
        if code[0] != MEDICAL_SURGICAL or code[2] != INSPECTION:
            continue
        for other_index, other in lines:
            if (other[0] != MEDICAL_SURGICAL or other[2] == INSPECTION or other[1] != code[1]
                    or other[4] != code[4] or (code, other) in reported):
                continue
            reported.add((code, other))
            operation = _label(facts.get(other), 2) or f"root operation {other[2]}"
            approach = _named(code, facts.get(code), 4)
            if other[3] == code[3]:
                message = (f"{code} (Inspection) is coded with {other} ({operation}) of the same body part by the same "
                           f"approach ({approach}): an inspection done to achieve another procedure is not coded "
                           "separately; it is coded only when done by a different approach.")
            else:
                # Another body part of the same system: the inspection may be of a separate site (an EGD and a
                # colonoscopy), so the message asks rather than tells.
                message = (f"{code} (Inspection of {_label(facts.get(code), 3) or 'a body part'}) is coded with "
                           f"{other} ({operation} of {_label(facts.get(other), 3) or 'another body part'}) in the "
                           f"same body system by the same approach ({approach}): if the inspection was done to "
                           "achieve that procedure, it is not coded separately; keep it only for a separate site "
                           "or a different approach.")
            yield (index, other_index), GuidelineCheck("pcs_inspection", (code, other), message,
                                                       "ICD-10-PCS B3.11a, B3.11c")


def _coronary(lines, facts):
    groups: dict[tuple[str, str, str, str], list[tuple[int, str]]] = defaultdict(list)
    for index, code in lines:
        if code[0] == MEDICAL_SURGICAL and code[1] == HEART_AND_GREAT_VESSELS and code[3] in CORONARY_ARTERY_VALUES:
            label = _label(facts.get(code), 3)
            if label and not label.lower().startswith("coronary artery"):
                continue
            groups[(code[2], code[4], code[5], code[6])].append((index, code))
    for (operation, approach, device, qualifier), members in groups.items():
        if len(members) < 2:
            continue
        arteries = min(4, sum(CORONARY_ARTERY_VALUES.index(code[3]) + 1 for _, code in members))
        combined = members[0][1][:3] + CORONARY_ARTERY_VALUES[arteries - 1] + approach + device + qualifier
        codes = tuple(code for _, code in members)
        yield tuple(index for index, _ in members), GuidelineCheck(
            "pcs_coronary_arteries", codes,
            f"{', '.join(codes)} are the same procedure on coronary arteries (same root operation, approach, device "
            f"and qualifier): one code gives the number of arteries treated, {combined}.", "ICD-10-PCS B4.4")


def _bilateral(lines, facts):
    by_code = dict((code, index) for index, code in lines)
    reported: set[str] = set()
    for index, code in lines:
        bilateral = getattr(facts.get(code), "pcs_bilateral", "")
        if not bilateral or bilateral in reported:
            continue
        partners = [(other_index, other) for other_index, other in lines if other != code and other[:3] == code[:3]
                    and other[4:] == code[4:] and getattr(facts.get(other), "pcs_bilateral", "") == bilateral]
        if not partners:
            continue
        reported.add(bilateral)
        other_index, other = partners[0]
        part = _label(facts.get(code), 3).rpartition(", ")[0] or "body part"
        yield (index, other_index), GuidelineCheck(
            "pcs_bilateral", (code, other),
            f"{code} and {other} are the identical procedure on the right and left {part}: the table has a bilateral "
            f"value for it, so it is coded once, {bilateral}.", "ICD-10-PCS B4.3")


def _not_in_table(lines, facts):
    for index, code in lines:
        code_facts = facts.get(code)
        if code_facts is None or len(code_facts.axes) != 7:
            continue
        for position in range(3, 7):
            title, label = code_facts.axes[position]
            if title and not label:
                before = ", ".join(_named(code, code_facts, p) for p in range(3, position)) or "its table"
                name = POSITION_NAMES[position]
                message = (f"{code}: no row of table {code[:3]} in this partial demo set allows {name} "
                           f"{code[position]} ({ORDINALS[position]} character) after {before}. It is not marked "
                           "wrong: check the value against the official tables.")
                yield (index,), GuidelineCheck("pcs_value_not_in_table", (code,), message, "ICD-10-PCS A9")
                break
