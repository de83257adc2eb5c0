"""ICD-10-PCS lines graded axis by axis. Pure.

Each of the seven characters is an axis: in the Medical and Surgical section (0) section, body system, root
operation, body part, approach, device, qualifier. A student's code earns the policy's weight of every axis it
gets right (``Policy.pcs_axis_weights``, summing to 1; by default root operation and body part weigh most), and
the feedback names every wrong axis with its values: "Approach (5th character): you chose Open (0); the key has
Percutaneous Endoscopic (4)." Two codes are paired only when they share the section and the root operation or
the body part: otherwise they are different procedures (a missing line and an extra one).

Axis names and value labels come from the release's tables (``CodeFacts.axes``); without them the Medical and
Surgical names are used for section 0 and "character N" elsewhere, and values are shown bare.
"""

from __future__ import annotations

import re
from typing import Sequence

from .types import CodeFacts

ICD10PCS = "icd10pcs"
SHAPE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
DEFAULT_WEIGHTS = (0.05, 0.10, 0.30, 0.30, 0.10, 0.10, 0.05)
MEDICAL_SURGICAL_AXES = ("Section", "Body System", "Root Operation", "Body Part", "Approach", "Device", "Qualifier")
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th")
ROOT_OPERATION, BODY_PART = 2, 3


def weights_ok(weights: Sequence[float]) -> bool:
    return (len(weights) == 7 and all(isinstance(w, (int, float)) and w >= 0 for w in weights)
            and abs(sum(weights) - 1.0) < 1e-6)


def pcs_credit(key_code: str, code: str, weights: Sequence[float]) -> float:
    """Sum of the weights of the axes the two codes share; 0 when they are not the same kind of procedure."""
    if len(key_code) != 7 or len(code) != 7 or key_code[0] != code[0]:
        return 0.0
    if key_code[ROOT_OPERATION] != code[ROOT_OPERATION] and key_code[BODY_PART] != code[BODY_PART]:
        return 0.0
    return sum(w for w, a, b in zip(weights, key_code, code) if a == b)


def _axis_title(position: int, key_facts: CodeFacts | None, section: str) -> str:
    if key_facts is not None and len(key_facts.axes) == 7 and key_facts.axes[position][0]:
        title = key_facts.axes[position][0]
        return "Root Operation" if title == "Operation" else title
    if section == "0":
        return MEDICAL_SURGICAL_AXES[position]
    return f"Character {position + 1}"


def _value(code: str, position: int, facts: CodeFacts | None) -> str:
    value = code[position]
    if facts is not None and len(facts.axes) == 7 and facts.axes[position][1]:
        return f"{facts.axes[position][1]} ({value})"
    return value


def pcs_messages(key_code: str, code: str, key_facts: CodeFacts | None, answer_facts: CodeFacts | None) -> list[str]:
    """One message per wrong axis, named, with both values and their labels."""
    if len(key_code) != 7 or len(code) != 7:
        return []
    messages = []
    for position in range(7):
        if key_code[position] == code[position]:
            continue
        title = _axis_title(position, key_facts, key_code[0])
        messages.append(
            f"{title} ({ORDINALS[position]} character): you chose {_value(code, position, answer_facts)}; "
            f"the key has {_value(key_code, position, key_facts)}."
        )
    return messages
