"""The grading engine: key + answer + policy + code facts -> score and per-line findings.

Rules (documented for students and instructors in docs/grading.md):
1. Answer lines are paired with key lines by an optimal assignment that maximises the credit
   earned, so the order of secondary diagnoses and procedure lines never matters. The principal
   diagnosis is scored by position: a code in the wrong slot earns ``wrong_position_credit``.
2. Credit per pair: exact code or accepted alternate 1.0; ICD-10-CM codes equal up to the 7th
   character ``seventh_char_credit``; same subcategory (4+ characters) ``subcategory_credit``;
   same category (3 characters) ``category_credit``; an E/M code one level from the key's in the
   same family (em.py) ``em_level_credit``. A right CPT/HCPCS code (or E/M level) with other
   modifiers is multiplied by ``modifier_credit``, with other units by ``units_credit``. An inpatient
   diagnosis whose key line carries a POA indicator keeps ``1 - poa_credit`` of its credit when the
   student's indicator differs (poa.py, guidelines Appendix I). An E/M code two or more levels off, or in the wrong preventive age band, is paired with the
   key line for the feedback but earns nothing: it is one wrong line, scored like a missing line
   plus an extra one.
3. Score = earned / max(key points, entered points) (the default ``max`` policy), so every extra
   line and every missing line costs; optional key lines never cost, and count only when coded.
4. Invalid codes and guideline conflicts are reported with the guideline section they break.
"""

from __future__ import annotations

from typing import Sequence

from .assignment import max_weight_assignment
from .checks import guideline_checks
from .em import AGE_BANDS, EM_CODES, em_message
from .normalize import display_code
from .pcs import pcs_credit, pcs_messages
from .poa import EXEMPT as POA_EXEMPT, poa_messages
from .prepare import CompiledKey, prepare_answer
from .types import (
    CORRECT,
    CPT,
    EXTRA,
    ICD10CM,
    ICD10PCS,
    MISSING,
    PARTIAL,
    PRINCIPAL,
    PROCEDURE_ROLES,
    ROLES,
    SECONDARY,
    WRONG,
    AnswerLine,
    CodeFacts,
    Demographics,
    GradeResult,
    KeyLine,
    LineFinding,
    Oracle,
    Policy,
)

_TIE_BREAK = 1e-7  # prefers more (and higher-point) pairs among equally good assignments
# A same-family E/M pair that earns nothing is still paired, for the feedback, but only when
# neither line has anything better: its weight is far below any pair that earns credit.
_DISPLAY_PAIR_WEIGHT = 1e-9
_ROLE_ORDER = {role: n for n, role in enumerate(ROLES)}
_DX_PRINCIPAL_SENSITIVE = frozenset({PRINCIPAL, SECONDARY})
_EMPTY_ORACLE: dict[str, dict[str, CodeFacts]] = {}


def _poa_right(key_poa: str, answer_poa: str) -> bool:
    """A key line without a POA indicator does not grade it; an exempt key line accepts a blank."""
    return not key_poa or key_poa == answer_poa or (key_poa == POA_EXEMPT and not answer_poa)


def _em_level_credit(key: KeyLine, code: str, policy: Policy) -> float:
    """Credit for a CPT E/M code one level from the key's code (or an alternate) in the same family."""
    answer = EM_CODES.get(code)
    if answer is None or answer[0].kind == AGE_BANDS:
        return 0.0
    for target in (key.code, *key.alternates):
        found = EM_CODES.get(target)
        if found is not None and found[0] is answer[0] and abs(found[1] - answer[1]) == 1:
            return policy.em_level_credit
    return 0.0


def _code_credit(key: KeyLine, code: str, policy: Policy) -> float:
    if code == key.code or code in key.alternates:
        return 1.0
    if key.system == ICD10PCS:
        return max(pcs_credit(target, code, policy.pcs_axis_weights) for target in (key.code, *key.alternates))
    if key.system != ICD10CM:
        return _em_level_credit(key, code, policy) if key.system == CPT else 0.0
    best = 0.0
    for target in (key.code, *key.alternates):
        if target[:3] != code[:3]:
            continue
        if len(target) == 7 and len(code) == 7 and target[:6] == code[:6]:
            credit = policy.seventh_char_credit
        elif target[:4] == code[:4] and len(code) >= 4:
            credit = policy.subcategory_credit
        else:
            credit = policy.category_credit
        if credit > best:
            best = credit
    return best


def _pair_credit(key: KeyLine, answer: AnswerLine, policy: Policy) -> float:
    credit = _code_credit(key, answer.code, policy)
    if credit <= 0.0:
        return 0.0
    if key.role in PROCEDURE_ROLES:
        if answer.role not in PROCEDURE_ROLES:
            return 0.0
        # The right code, or an E/M one level off: modifiers and units still count.
        if set(answer.modifiers) != set(key.modifiers):
            credit *= policy.modifier_credit
        if answer.units != key.units:
            credit *= policy.units_credit
    else:
        if answer.role in PROCEDURE_ROLES:
            return 0.0
        if (key.role == PRINCIPAL) != (answer.role == PRINCIPAL):
            credit *= policy.wrong_position_credit
        if key.poa and not _poa_right(key.poa, answer.poa):
            credit *= 1.0 - policy.poa_credit
    return credit


def _explain(key: KeyLine, answer: AnswerLine, policy: Policy, oracle: Oracle | None = None) -> list[str]:
    code = answer.code
    if code == key.code and (key.role == answer.role or answer.role not in _DX_PRINCIPAL_SENSITIVE) and (
        key.role not in PROCEDURE_ROLES or (answer.units == key.units and set(answer.modifiers) == set(key.modifiers))
    ) and _poa_right(key.poa, answer.poa):
        return []
    messages: list[str] = []
    key_code = display_code(key.code, key.system)
    same_service = code == key.code or code in key.alternates
    if code == key.code:
        pass
    elif code in key.alternates:
        messages.append(f"Accepted alternate for {key_code}.")
    elif key.system == ICD10PCS:
        facts = (oracle or _EMPTY_ORACLE).get(ICD10PCS) or {}
        messages.extend(pcs_messages(key.code, code, facts.get(key.code), facts.get(code)))
    elif key.system != ICD10CM:
        message = em_message(key.code, code)
        if message:
            messages.append(message)
            same_service = _em_level_credit(key, code, policy) > 0.0
    else:
        target = key.code
        if len(target) == 7 and len(code) == 7 and target[:6] == code[:6]:
            messages.append(f"Right code up to the 7th character: the key has {key_code} (7th character {target[6]}).")
        elif target[:4] == code[:4]:
            messages.append(f"Right subcategory, but the characters after it differ (e.g. laterality or detail): the key has {key_code}.")
        else:
            messages.append(f"Right category ({target[:3]}) but not the right code: the key has {key_code}.")
    if key.role in PROCEDURE_ROLES and same_service:
        if set(answer.modifiers) != set(key.modifiers):
            want = ", ".join(key.modifiers) or "none"
            got = ", ".join(answer.modifiers) or "none"
            messages.append(f"Modifiers differ: the key has {want}; you entered {got}.")
        if answer.units != key.units:
            messages.append(f"Units differ: the key has {key.units}; you entered {answer.units}.")
    if key.role not in PROCEDURE_ROLES and (key.role == PRINCIPAL) != (answer.role == PRINCIPAL):
        if key.role == PRINCIPAL:
            messages.append("Sequencing: this code is the principal (first-listed) diagnosis, not a secondary one.")
        else:
            messages.append("Sequencing: this code is a secondary diagnosis, not the principal (first-listed) one.")
    if key.poa and key.role not in PROCEDURE_ROLES and not _poa_right(key.poa, answer.poa):
        messages.extend(poa_messages(key.poa, answer.poa, key_code))
    return messages


def _assign(key: CompiledKey, answers: list[AnswerLine], policy: Policy) -> dict[int, tuple[int, float]]:
    """Optimal pairing: answer index -> (key index, credit). Independent components solved separately."""
    key_lines = key.lines
    edges: dict[int, dict[int, float]] = {}  # answer -> key -> credit
    key_edges: dict[int, list[int]] = {}
    by_code = key.by_code
    by_category = key.by_category
    by_em_family = key.by_em_family
    for j, answer in enumerate(answers):
        # Every ICD-10-CM key line whose code or alternate shares the answer's category is in by_category.
        family_lines = None
        if answer.system == ICD10CM:
            candidates = by_category.get(answer.code[:3])
        elif answer.system == ICD10PCS:
            candidates = key.by_pcs_section.get(answer.code[:1])
        else:
            candidates = by_code.get((answer.system, answer.code))
            if by_em_family and answer.system == CPT and answer.code in EM_CODES:
                # Other levels of the same E/M service are candidates too.
                family_lines = by_em_family.get(EM_CODES[answer.code][0].slug)
                if family_lines:
                    if not candidates:
                        candidates = family_lines
                    elif candidates != family_lines:
                        candidates = list(dict.fromkeys((*candidates, *family_lines)))
        if not candidates:
            continue
        row: dict[int, float] = {}
        for i in candidates:
            kl = key_lines[i]
            if kl.code == answer.code and kl.role == answer.role and (
                (kl.units == answer.units and kl.modifiers == answer.modifiers) if kl.role in PROCEDURE_ROLES
                else (not kl.poa or kl.poa == answer.poa)
            ):
                credit = 1.0  # the common case: an exact line
            else:
                credit = _pair_credit(kl, answer, policy)
            if credit > 0.0 or (
                family_lines is not None and i in family_lines and not kl.optional
                and kl.role in PROCEDURE_ROLES and answer.role in PROCEDURE_ROLES
            ):
                row[i] = credit
                key_edges.setdefault(i, []).append(j)
        if row:
            edges[j] = row
    matches: dict[int, tuple[int, float]] = {}
    visited: set[int] = set()
    for j, row in edges.items():
        if j in visited:
            continue
        if len(row) == 1:
            (i, credit), = row.items()
            if len(key_edges[i]) == 1:
                visited.add(j)
                matches[j] = (i, credit)
                continue
        # Collect the connected component of answers and keys around j.
        comp_answers: list[int] = []
        comp_keys: list[int] = []
        seen_keys: set[int] = set()
        stack = [j]
        visited.add(j)
        while stack:
            a = stack.pop()
            comp_answers.append(a)
            for i in edges[a]:
                if i in seen_keys:
                    continue
                seen_keys.add(i)
                comp_keys.append(i)
                for other in key_edges[i]:
                    if other not in visited:
                        visited.add(other)
                        stack.append(other)
        comp_answers.sort()
        comp_keys.sort()
        weights = [
            [
                (
                    (edges[a][i] * key_lines[i].points + _TIE_BREAK * (1.0 + key_lines[i].points / 1000.0))
                    if edges[a][i] > 0.0 else _DISPLAY_PAIR_WEIGHT
                )
                if i in edges[a] else 0.0
                for i in comp_keys
            ]
            for a in comp_answers
        ]
        for row_index, col_index in max_weight_assignment(weights):
            a = comp_answers[row_index]
            i = comp_keys[col_index]
            matches[a] = (i, edges[a][i])
    return matches


def grade(
    key: CompiledKey | Sequence[KeyLine],
    answer: Sequence[AnswerLine],
    *,
    policy: Policy | None = None,
    oracle: Oracle | None = None,
    demographics: Demographics | None = None,
    answered_query: bool = False,
) -> GradeResult:
    """Score one submission against one answer key. Pure and deterministic."""
    if not isinstance(key, CompiledKey):
        key = CompiledKey(key)
    policy = policy or Policy()
    answers, notices = prepare_answer(answer)
    checks, line_messages = guideline_checks(answers, oracle or _EMPTY_ORACLE, demographics)
    matches = _assign(key, answers, policy)
    matched_keys = {i: j for j, (i, _) in matches.items()}

    findings: list[LineFinding] = []
    counts = {CORRECT: 0, PARTIAL: 0, WRONG: 0, MISSING: 0, EXTRA: 0}  # optional lines left out are not counted
    earned = 0.0
    key_weight = 0.0
    entered_weight = 0.0
    missing_points = 0.0
    n_wrong_pairs = 0  # paired lines that earn nothing (an E/M far from the key's level): a missing plus an extra
    unmatched_principal_key: LineFinding | None = None
    for i, line in enumerate(key.lines):
        j = matched_keys.get(i)
        if j is None:
            if line.optional:
                findings.append(LineFinding(
                    MISSING, line.role, line.system, key_index=i, key_code=line.code, key_modifiers=line.modifiers,
                    key_units=line.units, optional=True, rationale=line.rationale, guideline=line.guideline,
                    messages=["Optional line: leaving it out costs nothing."], key_poa=line.poa,
                ))
                continue
            key_weight += line.points
            missing_points += line.points
            finding = LineFinding(
                MISSING, line.role, line.system, key_index=i, key_code=line.code, key_modifiers=line.modifiers,
                key_units=line.units, points_possible=line.points, rationale=line.rationale, guideline=line.guideline,
                messages=["Not coded: under-coding costs points."], key_poa=line.poa,
            )
            if line.role == PRINCIPAL and unmatched_principal_key is None:
                unmatched_principal_key = finding
            findings.append(finding)
            counts[MISSING] += 1
            continue
        credit = matches[j][1]
        answer_line = answers[j]
        key_weight += line.points
        if credit <= 0.0:
            missing_points += line.points
            n_wrong_pairs += 1
            messages = _explain(line, answer_line, policy, oracle)
            messages.extend(line_messages.get(j, ()))
            findings.append(LineFinding(
                WRONG, line.role, line.system, i, j, line.code, answer_line.code,
                line.modifiers, answer_line.modifiers, line.units, answer_line.units, 0.0, line.points, 0.0,
                line.optional, line.rationale, line.guideline, messages, line.poa, answer_line.poa,
            ))
            counts[WRONG] += 1
            continue
        entered_weight += line.points
        points = credit * line.points
        earned += points
        if answer_line.code == line.code and answer_line.role == line.role and (
            (answer_line.units == line.units and answer_line.modifiers == line.modifiers) if line.role in PROCEDURE_ROLES
            else (not line.poa or line.poa == answer_line.poa)
        ):
            found = line_messages.get(j)  # an exact line: nothing to explain
            messages = list(found) if found else []
        else:
            messages = _explain(line, answer_line, policy, oracle)
            messages.extend(line_messages.get(j, ()))
        verdict = CORRECT if credit >= 1.0 else PARTIAL
        counts[verdict] += 1
        # Positional for speed; the order is LineFinding's field order.
        findings.append(LineFinding(
            verdict, line.role, line.system, i, j, line.code, answer_line.code,
            line.modifiers, answer_line.modifiers, line.units, answer_line.units, credit, line.points, points,
            line.optional, line.rationale, line.guideline, messages, line.poa, answer_line.poa,
        ))

    extras = [j for j in range(len(answers)) if j not in matches]
    extras.sort(key=lambda j: (_ROLE_ORDER.get(answers[j].role, 9), answers[j].system, answers[j].code, answers[j].modifiers))
    n_extra = len(extras) + n_wrong_pairs
    for j in extras:
        line = answers[j]
        messages = list(line_messages.get(j, ()))
        if unmatched_principal_key is not None and line.role == PRINCIPAL:
            # A wrong principal diagnosis reads better as one line than as a missing + an extra.
            unmatched_principal_key.verdict = WRONG
            counts[MISSING] -= 1
            counts[WRONG] += 1
            unmatched_principal_key.answer_index = j
            unmatched_principal_key.answer_code = line.code
            unmatched_principal_key.answer_poa = line.poa
            unmatched_principal_key.messages = [
                f"The principal diagnosis is {display_code(unmatched_principal_key.key_code)}; "
                f"{display_code(line.code)} earns no credit.",
                *messages,
            ]
            unmatched_principal_key = None
            continue
        messages.insert(0, "Not supported by the documentation: over-coding costs points.")
        findings.append(LineFinding(
            EXTRA, line.role, line.system, answer_index=j, answer_code=line.code, answer_modifiers=line.modifiers,
            answer_units=line.units, messages=messages, answer_poa=line.poa,
        ))
        counts[EXTRA] += 1
    entered_weight += n_extra * policy.extra_penalty

    if key.expects_query or answered_query:
        q = policy.query_points
        if key.expects_query:
            key_weight += q
            if answered_query:
                earned += q
                entered_weight += q
                findings.append(LineFinding(CORRECT, "query", "", credit=1.0, points_possible=q, points_earned=q,
                                            messages=["Right call: the documentation needs a provider query."]))
                counts[CORRECT] += 1
            else:
                missing_points += q
                findings.append(LineFinding(MISSING, "query", "", points_possible=q,
                                            messages=["The documentation is unclear: the provider should be queried."]))
                counts[MISSING] += 1
        else:
            n_extra += 1
            entered_weight += policy.extra_penalty
            findings.append(LineFinding(EXTRA, "query", "",
                                        messages=["The documentation supports the codes: no provider query is needed."]))
            counts[EXTRA] += 1

    n_checks = len(checks)
    components = {
        "earned": earned, "key_weight": key_weight, "entered_weight": entered_weight, "n_extra": n_extra,
        "missing_points": missing_points, "n_checks": n_checks,
    }
    score, denominator = _score(policy, earned, key_weight, entered_weight, n_extra, missing_points, n_checks)
    # Positional for speed; the order is GradeResult's field order.
    return GradeResult(
        score, score >= policy.pass_mark, round(earned, 4), round(denominator, 4), round(key_weight, 4), findings,
        checks, notices, counts, components,
    )


def score_from_components(
    policy: Policy, *, earned: float, key_weight: float, entered_weight: float, n_extra: int,
    missing_points: float, n_checks: int,
) -> tuple[float, float]:
    """(score 0-100, denominator) from the totals of a grading; also used to re-total after overrides."""
    return _score(policy, earned, key_weight, entered_weight, n_extra, missing_points, n_checks)


def _score(
    policy: Policy, earned: float, key_weight: float, entered_weight: float, n_extra: int, missing_points: float,
    n_checks: int,
) -> tuple[float, float]:
    numerator = earned - policy.missing_penalty * missing_points - policy.violation_penalty * n_checks
    if policy.denominator == "max":
        denominator = max(key_weight, entered_weight)
    else:
        denominator = key_weight
        numerator -= policy.extra_penalty * n_extra
    if denominator <= 1e-9:
        return (100.0 if n_extra == 0 and n_checks == 0 else 0.0), 0.0
    return round(min(100.0, max(0.0, 100.0 * numerator / denominator)), 2), denominator
