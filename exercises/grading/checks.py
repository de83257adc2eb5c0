"""Guideline checks on what a student entered: validity in the pinned release, Excludes1 pairs,
manifestation codes sequenced first, missing 7th characters and demographic conflicts."""

from __future__ import annotations

from .normalize import code_shape_ok, display_code
from .notes import category_range
from .types import (
    ICD10CM,
    PRINCIPAL,
    AnswerLine,
    CodeFacts,
    Demographics,
    GuidelineCheck,
    Oracle,
)

SYSTEM_LABELS = {"icd10cm": "ICD-10-CM", "cpt": "CPT", "hcpcs": "HCPCS Level II"}
NOT_FOUND = CodeFacts(exists=False, billable=False)


def validity_problem(oracle: Oracle, system: str, code: str) -> GuidelineCheck | None:
    """Is this code usable as entered in the pinned release? None when it is (or cannot be checked)."""
    table = oracle.get(system)
    facts = table.get(code) if table is not None else None
    if facts is not None and facts.billable and facts.exists:
        return None
    if not code_shape_ok(code, system):
        shown, label = display_code(code, system), SYSTEM_LABELS.get(system, system)
        return GuidelineCheck("invalid_code", (code,), f"{shown} is not shaped like a {label} code.", "")
    if table is None:
        return None  # a system the release does not cover (e.g. CPT without a licensed file): shape only
    shown = display_code(code, system)
    label = SYSTEM_LABELS.get(system, system)
    if facts is None:
        facts = NOT_FOUND
    if not facts.exists:
        if system == ICD10CM and len(code) == 6:
            parent = table.get(code[:5])
            if parent is not None and parent.needs_seventh:
                return GuidelineCheck(
                    "missing_seventh", (code,),
                    f"{shown} does not exist: a 7th character needs the placeholder X in the empty positions "
                    f"(e.g. {display_code(code[:5] + 'X' + code[5], system)}).", "I.A.5",
                )
        return GuidelineCheck("invalid_code", (code,), f"{shown} is not a code in the pinned {label} release.", "")
    if facts.needs_seventh and not facts.billable:
        return GuidelineCheck(
            "missing_seventh", (code,),
            f"{shown} needs a 7th character (for example A for the initial encounter).", "I.A.4",
        )
    if not facts.billable:
        return GuidelineCheck(
            "header_code", (code,),
            f"{shown} is a header, not a billable code: report the code with the most characters available.", "I.B.2",
        )
    return None


def guideline_checks(
    lines: list[AnswerLine], oracle: Oracle, demographics: Demographics | None
) -> tuple[list[GuidelineCheck], dict[int, list[str]]]:
    """All checks that fire, plus the messages to attach to each answer line (by index)."""
    checks: list[GuidelineCheck] = []
    per_line: dict[int, list[str]] = {}
    icd_table = oracle.get(ICD10CM)
    icd_facts: list[tuple[int, str, CodeFacts]] = []
    for index, line in enumerate(lines):
        table = icd_table if line.system == ICD10CM else oracle.get(line.system)
        facts = table.get(line.code) if table is not None else None
        if facts is None or not facts.billable or not facts.exists:
            problem = validity_problem(oracle, line.system, line.code)
            if problem is not None:
                checks.append(problem)
                per_line.setdefault(index, []).append(problem.message)
        if facts is not None and facts.exists and line.system == ICD10CM:
            icd_facts.append((index, line.code, facts))
    if not icd_facts:
        return checks, per_line

    # Excludes1: any pair where one code's notes exclude the other. Each pair reported once.
    by_category: dict[str, list[tuple[int, str]]] = {}
    for index, code, _ in icd_facts:
        by_category.setdefault(code[:3], []).append((index, code))
    reported: set[tuple[str, str]] = set()
    for index, code, facts in icd_facts:
        for ref in facts.excludes1:
            if "-" in ref:  # a category range: compare categories, not every code
                lo, hi = category_range(ref)
                hits = sorted(hit for category, found in by_category.items() if lo <= category <= hi for hit in found)
            else:
                hits = by_category.get(ref[:3])
                if not hits:
                    continue
                if len(ref) > 3:
                    hits = [(i, c) for i, c in hits if c.startswith(ref)]
            for other_index, other in hits:
                if other == code:
                    continue
                pair = (code, other) if code < other else (other, code)
                if pair in reported:
                    continue
                reported.add(pair)
                message = (
                    f"{display_code(code)} and {display_code(other)} are an Excludes1 pair: "
                    "they are not coded together."
                )
                checks.append(GuidelineCheck("excludes1", pair, message, "I.A.12.a"))
                per_line.setdefault(index, []).append(message)
                per_line.setdefault(other_index, []).append(message)

    for index, code, facts in icd_facts:
        line = lines[index]
        if facts.manifestation and line.role == PRINCIPAL:
            message = (
                f"{display_code(code)} is a manifestation code ('in diseases classified elsewhere'): "
                "it is never sequenced first; code the underlying condition first."
            )
            checks.append(GuidelineCheck("manifestation_first", (code,), message, "I.A.13"))
            per_line.setdefault(index, []).append(message)
        if demographics is None:
            continue
        if demographics.sex and facts.sex and demographics.sex != facts.sex:
            who = "female" if facts.sex == "F" else "male"
            message = f"{display_code(code)} is for {who} patients only; this patient's sex conflicts with it."
            checks.append(GuidelineCheck("sex_conflict", (code,), message, ""))
            per_line.setdefault(index, []).append(message)
        age = demographics.age
        if age is not None and (
            (facts.min_age is not None and age < facts.min_age) or (facts.max_age is not None and age > facts.max_age)
        ):
            low = facts.min_age if facts.min_age is not None else 0
            high = f"{facts.max_age}" if facts.max_age is not None else "any age"
            message = f"{display_code(code)} applies to ages {low} to {high}; this patient is {age}."
            checks.append(GuidelineCheck("age_conflict", (code,), message, ""))
            per_line.setdefault(index, []).append(message)
    return checks, per_line
