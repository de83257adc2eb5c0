"""Preparing the two inputs: an answer key compiled once per version, and a student's lines cleaned up."""

from __future__ import annotations

from typing import Iterable, Sequence

from .em import EM_CODES
from .normalize import normalize_code_text, display_code, normalize_code, normalize_modifiers, normalize_units
from .poa import normalize_poa, poa_valid
from .types import CPT, ICD10CM, ICD10PCS, PRINCIPAL, PROCEDURE, PROCEDURE_ROLES, ROLES, SECONDARY, AnswerLine, KeyLine

MAX_LINES = 100
_ROLE_ORDER = {role: n for n, role in enumerate(ROLES)}


class CompiledKey:
    """An answer key prepared once (normalised and indexed) and reused for every submission."""

    __slots__ = ("lines", "expects_query", "by_code", "by_category", "by_em_family", "by_pcs_section")

    def __init__(self, lines: Iterable[KeyLine], *, expects_query: bool = False) -> None:
        prepared: list[KeyLine] = []
        for line in lines:
            code = normalize_code(line.code)
            if not code:
                continue
            role = line.role if line.role in ROLES else (SECONDARY if line.system == ICD10CM else PROCEDURE)
            alternates = tuple(a for a in (normalize_code(x) for x in line.alternates) if a and a != code)
            poa = normalize_poa(line.poa) if role not in PROCEDURE_ROLES else ""
            prepared.append(
                KeyLine(
                    code=code, role=role, system=line.system, modifiers=normalize_modifiers(line.modifiers),
                    units=normalize_units(line.units) or 1, points=float(line.points), alternates=alternates,
                    optional=bool(line.optional), rationale=line.rationale, guideline=line.guideline,
                    poa=poa if poa_valid(poa) else "",
                )
            )
        self.lines: tuple[KeyLine, ...] = tuple(prepared)
        self.expects_query = expects_query
        self.by_code: dict[tuple[str, str], list[int]] = {}
        self.by_category: dict[str, list[int]] = {}  # ICD-10-CM category -> key lines
        self.by_em_family: dict[str, list[int]] = {}  # E/M family (see em.py) -> CPT key lines
        self.by_pcs_section: dict[str, list[int]] = {}  # ICD-10-PCS section (1st character) -> key lines
        for index, line in enumerate(self.lines):
            for code in (line.code, *line.alternates):
                bucket = self.by_code.setdefault((line.system, code), [])
                if index not in bucket:
                    bucket.append(index)
                if line.system == ICD10CM:
                    bucket = self.by_category.setdefault(code[:3], [])
                    if index not in bucket:
                        bucket.append(index)
                elif line.system == ICD10PCS:
                    bucket = self.by_pcs_section.setdefault(code[:1], [])
                    if index not in bucket:
                        bucket.append(index)
                elif line.system == CPT and code in EM_CODES:
                    bucket = self.by_em_family.setdefault(EM_CODES[code][0].slug, [])
                    if index not in bucket:
                        bucket.append(index)


def compile_key(lines: Iterable[KeyLine], *, expects_query: bool = False) -> CompiledKey:
    return CompiledKey(lines, expects_query=expects_query)


def prepare_answer(lines: Sequence[AnswerLine]) -> tuple[list[AnswerLine], list[str]]:
    """Normalise codes, drop blanks and duplicates, keep one principal; messages say what changed."""
    notices: list[str] = []
    if len(lines) > MAX_LINES:
        notices.append(f"Only the first {MAX_LINES} lines were graded ({len(lines)} were entered).")
        lines = lines[:MAX_LINES]
    # The principal line is handled first so a repeat of it elsewhere is the one dropped.
    ordered = lines
    for position, line in enumerate(lines):
        if line.role == PRINCIPAL:
            if position:
                ordered = sorted(lines, key=lambda item: 0 if item.role == PRINCIPAL else 1)
            break
    cleaned: list[AnswerLine] = []
    seen: set = set()
    has_principal = False
    for line in ordered:
        raw_code = line.code
        code = normalize_code_text(raw_code) if type(raw_code) is str else normalize_code(raw_code)
        if not code:
            continue
        role = line.role
        if role not in _ROLE_ORDER:
            role = SECONDARY if line.system == ICD10CM else PROCEDURE
        if role == PRINCIPAL:
            if has_principal:
                notices.append(f"Only one principal diagnosis is allowed; {display_code(code)} was graded as secondary.")
                role = SECONDARY
            has_principal = True
        modifiers = normalize_modifiers(line.modifiers) if line.modifiers else ()
        units = line.units
        if type(units) is not int or not 1 <= units <= 999:
            units = normalize_units(units)
        if units is None:
            notices.append(f"Units for {display_code(code, line.system)} must be a whole number from 1 to 999; 1 was used.")
            units = 1
        if role in PROCEDURE_ROLES:
            token = (line.system, code, frozenset(modifiers) if modifiers else None, units)
        else:
            token = (line.system, code)
        if token in seen:
            notices.append(f"{display_code(code, line.system)} was entered more than once; the repeat was ignored.")
            continue
        seen.add(token)
        poa = line.poa
        if poa and (role in PROCEDURE_ROLES or not poa_valid(poa)):
            poa = normalize_poa(poa) if role not in PROCEDURE_ROLES else ""
            if poa and not poa_valid(poa):
                notices.append(f"POA indicator {poa!r} for {display_code(code)} is not one of Y, N, U, W or 1; "
                               "it was graded as blank.")
                poa = ""
        if code == raw_code and role == line.role and units == line.units and modifiers == line.modifiers \
                and poa == line.poa:
            cleaned.append(line)
        else:
            cleaned.append(AnswerLine(code, role, line.system, modifiers, units, poa))
    return cleaned, notices
