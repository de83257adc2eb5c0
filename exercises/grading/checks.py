"""Guideline checks on a list of codes (a student's answer or an answer key): validity in the pinned release,
Excludes1 pairs, manifestation codes sequenced first, missing 7th characters, demographic conflicts, and the
"Code first", "Use additional code" and "Code also" notes of the Tabular.

Instructional notes are advice, not errors: ``guideline_checks`` attaches them to the answer line as a note to
check and never returns them as checks, so they cost no points under any policy. ``instructional_note_checks``
returns them as checks for the author of a key.
"""

from __future__ import annotations

from functools import lru_cache

from .normalize import code_shape_ok, display_code
from .notes import parse_reference
from .pcs_checks import pcs_guideline_checks
from .types import (
    CODE_ALSO,
    CODE_FIRST,
    ICD10CM,
    ICD10PCS,
    PRINCIPAL,
    USE_ADDITIONAL,
    AnswerLine,
    CodeFacts,
    Demographics,
    GuidelineCheck,
    InstructionalNote,
    Oracle,
)

SYSTEM_LABELS = {"icd10cm": "ICD-10-CM", "cpt": "CPT", "hcpcs": "HCPCS Level II", "icd10pcs": "ICD-10-PCS"}
NOT_FOUND = CodeFacts(exists=False, billable=False)
NOTE_LABELS = {CODE_FIRST: "Code first", USE_ADDITIONAL: "Use additional code", CODE_ALSO: "Code also"}
# I.A.13 (etiology/manifestation: "code first" and "use additional code"), I.B.7 (multiple coding for a single
# condition: "use additional code" where no manifestation is involved), I.A.17 ("code also").
NOTE_GUIDELINES = {CODE_FIRST: "I.A.13", USE_ADDITIONAL: "I.B.7", CODE_ALSO: "I.A.17"}
NOTE_KINDS = frozenset({CODE_FIRST, "code_first_sequence", USE_ADDITIONAL, CODE_ALSO})
_NOTE_TEXT_LIMIT = 220


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


def demographic_problems(code: str, facts: CodeFacts, demographics: Demographics | None) -> list[GuidelineCheck]:
    """Sex and age edits of one code against the patient (none when either is unknown)."""
    if demographics is None:
        return []
    problems: list[GuidelineCheck] = []
    if demographics.sex and facts.sex and demographics.sex != facts.sex:
        who = "female" if facts.sex == "F" else "male"
        message = f"{display_code(code)} is for {who} patients only; this patient's sex conflicts with it."
        problems.append(GuidelineCheck("sex_conflict", (code,), message, ""))
    age = demographics.age
    if age is not None and (
        (facts.min_age is not None and age < facts.min_age) or (facts.max_age is not None and age > facts.max_age)
    ):
        low, high = facts.min_age or 0, facts.max_age
        if high == 0:
            who = "newborns (age 0)"
        elif high is None:
            who = f"patients aged {low} and over"
        elif not low:
            who = f"patients aged {high} or under"
        else:
            who = f"patients aged {low} to {high}"
        message = f"{display_code(code)} is for {who}; this patient is {age}."
        problems.append(GuidelineCheck("age_conflict", (code,), message, ""))
    return problems


def _matching_lines(reference: str, code: str, by_category: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str]]:
    """Lines (other than ``code`` itself) whose code a reference covers."""
    ref = parse_reference(reference)
    first = ref.first_category
    if first == ref.last_category:
        candidates = by_category.get(first)
        if not candidates:
            return []
    else:
        last = ref.last_category
        candidates = [hit for category, found in by_category.items() if first <= category <= last for hit in found]
        if not candidates:
            return []
        candidates.sort()
    matches = ref.matches
    return [(index, other) for index, other in candidates if other != code and matches(other)]


@lru_cache(maxsize=65536)
def _spans(references: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(first category, last category, reference) per reference: most references miss every listed category."""
    return tuple((parsed.first_category, parsed.last_category, ref)
                 for ref, parsed in ((ref, parse_reference(ref)) for ref in references))


def _hits(references: tuple[str, ...], code: str, by_category: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str]]:
    hits: list[tuple[int, str]] = []
    for first, last, reference in _spans(references):
        if first == last:
            if first not in by_category:
                continue
        elif not any(first <= category <= last for category in by_category):
            continue
        hits.extend(_matching_lines(reference, code, by_category))
    return hits


def _short(text: str) -> str:
    if len(text) <= _NOTE_TEXT_LIMIT:
        return text
    cut = text.rfind("; ", 0, _NOTE_TEXT_LIMIT)
    return text[: cut if cut > 0 else _NOTE_TEXT_LIMIT].rstrip(",;: ") + " …"


def _where(code: str, note: InstructionalNote) -> str:
    if note.source == code:
        return display_code(code)
    level = "category" if len(note.source) == 3 else "subcategory"
    return f"{display_code(code)} ({level} {display_code(note.source)})"


def _note_checks(
    lines: list[AnswerLine], icd_facts: list[tuple[int, str, CodeFacts]], by_category: dict[str, list[tuple[int, str]]],
) -> list[tuple[int, GuidelineCheck]]:
    """(line index, check) for every instructional note that is not met. Each note is reported once."""
    found: list[tuple[int, GuidelineCheck]] = []
    seen: set[tuple[str, str, str]] = set()
    for index, code, facts in icd_facts:
        for note in facts.notes:
            if not note.references:
                continue  # "code first underlying disease": nothing to test
            token = (note.kind, note.source, note.text)
            if token in seen:
                continue
            hits = _hits(note.references, code, by_category)
            if hits:
                if note.kind != CODE_FIRST or lines[index].role != PRINCIPAL or facts.manifestation:
                    continue  # met (a manifestation listed first is reported as manifestation_first)
                after = [other for other_index, other in hits if lines[other_index].role != PRINCIPAL]
                if not after:
                    continue
                seen.add(token)
                message = (
                    f"“{NOTE_LABELS[CODE_FIRST]}” note at {_where(code, note)}: {display_code(after[0])} is coded, "
                    f"but as a secondary diagnosis; it is sequenced before {display_code(code)}."
                )
                found.append((index, GuidelineCheck("code_first_sequence", (code, after[0]), message, "I.A.13")))
                continue
            seen.add(token)
            found.append((index, _unmet_note(code, note)))
    return found


@lru_cache(maxsize=65536)
def _unmet_note(code: str, note: InstructionalNote) -> GuidelineCheck:
    """The check for a note no listed code meets (the same for every answer: built once)."""
    if note.kind == CODE_FIRST:
        tail = "If one applies, code it and sequence it first." if note.conditional else "No code it names is listed."
    elif note.kind == USE_ADDITIONAL:
        tail = "Add one if the record supports it."
    else:
        tail = "Two codes may be needed to describe the condition fully."
    body = _short(note.text)
    if not body.endswith((".", "…", ":")):
        body += "."
    message = f"“{NOTE_LABELS[note.kind]}” note at {_where(code, note)}: {body} {tail}"
    return GuidelineCheck(note.kind, (code,), message, NOTE_GUIDELINES[note.kind])


def _icd_index(
    lines: list[AnswerLine], oracle: Oracle,
) -> tuple[list[tuple[int, str, CodeFacts]], dict[str, list[tuple[int, str]]]]:
    icd_table = oracle.get(ICD10CM) or {}
    icd_facts: list[tuple[int, str, CodeFacts]] = []
    by_category: dict[str, list[tuple[int, str]]] = {}
    for index, line in enumerate(lines):
        if line.system != ICD10CM:
            continue
        facts = icd_table.get(line.code)
        if facts is not None and facts.exists:
            icd_facts.append((index, line.code, facts))
            by_category.setdefault(line.code[:3], []).append((index, line.code))
    return icd_facts, by_category


def instructional_note_checks(lines: list[AnswerLine], oracle: Oracle) -> list[tuple[int, GuidelineCheck]]:
    """Instructional notes a list of lines does not meet (for the author of a key): (line index, check)."""
    icd_facts, by_category = _icd_index(lines, oracle)
    return _note_checks(lines, icd_facts, by_category)


@lru_cache(maxsize=65536)
def note_message_for_student(check: GuidelineCheck) -> str:
    """How an instructional note reads on a student's line: something to check, never a deduction."""
    lead = "Sequencing note" if check.kind == "code_first_sequence" else "Note to check"
    return f"{lead}: {check.message} (guideline {check.guideline}; notes cost no points)"


def guideline_checks(
    lines: list[AnswerLine], oracle: Oracle, demographics: Demographics | None
) -> tuple[list[GuidelineCheck], dict[int, list[str]]]:
    """All checks that fire, plus the messages to attach to each answer line (by index)."""
    checks: list[GuidelineCheck] = []
    per_line: dict[int, list[str]] = {}
    icd_table = oracle.get(ICD10CM)
    icd_facts: list[tuple[int, str, CodeFacts]] = []
    has_notes = False
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
            if facts.notes:
                has_notes = True
    pcs_lines = [(index, line.code) for index, line in enumerate(lines) if line.system == ICD10PCS]
    if pcs_lines:
        # ICD-10-PCS guideline checks are advice on the line (the pairing already scores a duplicate or extra line).
        for indexes, check in pcs_guideline_checks(pcs_lines, oracle.get(ICD10PCS) or {}):
            for index in indexes:
                per_line.setdefault(index, []).append(f"{check.message} (guideline {check.guideline})")
    if not icd_facts:
        return checks, per_line

    # Excludes1: any pair where one code's notes exclude the other. Each pair reported once.
    by_category: dict[str, list[tuple[int, str]]] = {}
    for index, code, _ in icd_facts:
        by_category.setdefault(code[:3], []).append((index, code))
    reported: set[tuple[str, str]] = set()
    for index, code, facts in icd_facts:
        if not facts.excludes1:
            continue
        for other_index, other in _hits(facts.excludes1, code, by_category):
            pair = (code, other) if code < other else (other, code)
            if pair in reported:
                continue
            reported.add(pair)
            message = f"{display_code(code)} and {display_code(other)} are an Excludes1 pair: they are not coded together."
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
        for problem in demographic_problems(code, facts, demographics):
            checks.append(problem)
            per_line.setdefault(index, []).append(problem.message)

    if has_notes:
        for index, check in _note_checks(lines, icd_facts, by_category):
            per_line.setdefault(index, []).append(note_message_for_student(check))
    return checks, per_line
