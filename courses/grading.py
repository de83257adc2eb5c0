"""Quiz grading: pure functions, no Django. The service layer adds the code-set lookup.

Responses by kind:
- single: ``[index]``; multiple: ``[index, ...]`` (order irrelevant);
- code: ``["e11.9"]`` (any case, with or without the dot);
- term_build: ``["gastr/o", "-itis"]`` (ordered word parts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CODE_FORMATS: dict[str, re.Pattern[str]] = {
    "icd10cm": re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$"),
    "hcpcs": re.compile(r"^[A-Z][0-9]{4}$"),
    "cpt": re.compile(r"^[0-9]{4}[0-9FTU]$"),
    "icd10pcs": re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),
}
CODE_FORMAT_HINTS: dict[str, str] = {
    "icd10cm": "an ICD-10-CM code is a letter, a digit, then 1 to 5 more characters (e.g. E11.9 or S52.521A)",
    "hcpcs": "a HCPCS Level II code is a letter and four digits (e.g. J1885)",
    "cpt": "a CPT code is five characters: four digits then a digit, F or T (e.g. 99213)",
    "icd10pcs": "an ICD-10-PCS code is seven characters, digits and letters other than I and O (e.g. 0DTJ4ZZ)",
}


class InvalidResponse(ValueError):
    """The response cannot be graded (wrong shape or an impossible code); the student may try again."""


@dataclass(frozen=True)
class GradeResult:
    is_correct: bool
    score: float
    expected: list = field(default_factory=list)
    message: str = ""


def normalize_code(raw: str) -> str:
    """``' e11.9 '`` → ``'E119'``: the storage form used by codesets."""
    return re.sub(r"[\s.]", "", str(raw or "")).upper()


def dotted(code: str, system: str) -> str:
    """``E119`` → ``E11.9`` for ICD-10-CM; other systems have no dot."""
    code = normalize_code(code)
    if system == "icd10cm" and len(code) > 3:
        return f"{code[:3]}.{code[3:]}"
    return code


def check_code_format(raw: str, system: str) -> str:
    """Return the normalised code or raise InvalidResponse with a clear message."""
    code = normalize_code(raw)
    if not code:
        raise InvalidResponse("Enter a code.")
    pattern = CODE_FORMATS.get(system)
    if pattern is not None and not pattern.match(code):
        raise InvalidResponse(f"“{raw.strip()}” is not a valid code format: {CODE_FORMAT_HINTS[system]}.")
    return code


def _indices(response: list, n_choices: int) -> list[int]:
    try:
        picked = [int(x) for x in response]
    except (TypeError, ValueError) as exc:
        raise InvalidResponse("Choose an answer.") from exc
    if any(i < 0 or i >= n_choices for i in picked):
        raise InvalidResponse("That choice does not exist.")
    return picked


def grade_single(*, choices: list[str], answer: list[int], response: list) -> GradeResult:
    picked = _indices(response, len(choices))
    if len(picked) != 1:
        raise InvalidResponse("Choose one answer.")
    correct = picked[0] == int(answer[0])
    return GradeResult(correct, 1.0 if correct else 0.0, [int(answer[0])])


def grade_multiple(*, choices: list[str], answer: list[int], response: list) -> GradeResult:
    picked = set(_indices(response, len(choices)))
    if not picked:
        raise InvalidResponse("Choose at least one answer.")
    key = {int(i) for i in answer}
    hits = len(picked & key)
    wrong = len(picked - key)
    score = max(0.0, (hits - wrong) / len(key)) if key else 0.0
    correct = picked == key
    message = "" if correct else f"You chose {hits} of {len(key)} correct options" + (f" and {wrong} incorrect." if wrong else ".")
    return GradeResult(correct, 1.0 if correct else round(score, 4), sorted(key), message)


def grade_code(*, system: str, answer: list[str], response: list) -> GradeResult:
    if len(response) != 1:
        raise InvalidResponse("Enter one code.")
    code = check_code_format(str(response[0]), system)
    accepted = {normalize_code(a) for a in answer}
    correct = code in accepted
    return GradeResult(correct, 1.0 if correct else 0.0, [dotted(a, system) for a in answer])


def grade_term_build(*, parts: list[str], answer: list[str], response: list) -> GradeResult:
    built = [str(p) for p in response]
    if not built:
        raise InvalidResponse("Build the answer by choosing the parts in order.")
    if any(p not in parts for p in built):
        raise InvalidResponse("Use only the parts offered.")
    correct = built == list(answer)
    return GradeResult(correct, 1.0 if correct else 0.0, list(answer))


def grade(*, kind: str, spec: dict, response: list) -> GradeResult:
    """Grade one response against a question spec (kind-specific keys: choices, parts, system, answer)."""
    if not isinstance(response, list):
        raise InvalidResponse("Answer the question.")
    if kind == "single":
        return grade_single(choices=spec["choices"], answer=spec["answer"], response=response)
    if kind == "multiple":
        return grade_multiple(choices=spec["choices"], answer=spec["answer"], response=response)
    if kind == "code":
        return grade_code(system=spec["system"], answer=spec["answer"], response=response)
    if kind == "term_build":
        return grade_term_build(parts=spec["parts"], answer=spec["answer"], response=response)
    raise InvalidResponse(f"Unknown question kind {kind!r}.")
