"""Glue between the catalog/database and the pure grading engine."""

from __future__ import annotations

from collections import OrderedDict

from .grading import AnswerLine, CompiledKey, Demographics, GradeResult, KeyLine, Policy, grade
from .models import AnswerKeyLine, Case, GradingPolicy
from .oracle import oracle_for_case

_KEYS: "OrderedDict[int, CompiledKey]" = OrderedDict()


def key_lines_for(key_id: int) -> list[KeyLine]:
    return [
        KeyLine(
            code=line.code, role=line.role, system=line.system, modifiers=tuple(line.modifiers or ()),
            units=line.units, points=line.points, alternates=tuple(line.alternates or ()), optional=line.optional,
            rationale=line.rationale, guideline=line.guideline_refs,
        )
        for line in AnswerKeyLine.objects.filter(key_id=key_id).order_by("order", "id")
    ]


def compiled_key(key_id: int, *, expects_query: bool) -> CompiledKey:
    """Key versions never change once saved, so the compiled form is cached per version."""
    compiled = _KEYS.get(key_id)
    if compiled is None or compiled.expects_query != expects_query:
        compiled = CompiledKey(key_lines_for(key_id), expects_query=expects_query)
        _KEYS[key_id] = compiled
        while len(_KEYS) > 2000:
            _KEYS.popitem(last=False)
    return compiled


def forget_key(key_id: int) -> None:
    _KEYS.pop(key_id, None)


def policy_for(case: Case) -> Policy:
    if case.grading_policy_id is not None:
        policy = GradingPolicy.objects.filter(pk=case.grading_policy_id).first()
    else:
        policy = GradingPolicy.objects.filter(is_default=True).first()
    return Policy.from_mapping(policy.as_rules()) if policy else Policy()


def answer_lines(raw_lines: list[dict]) -> list[AnswerLine]:
    return [
        AnswerLine(
            code=str(line.get("code", "")), role=line.get("role", "secondary"), system=line.get("system", "icd10cm"),
            modifiers=tuple(line.get("modifiers") or ()), units=line.get("units", 1),
        )
        for line in raw_lines
    ]


def grade_lines(*, case: Case, key_id: int, lines: list[dict], query_provider: bool,
                policy: Policy | None = None) -> tuple[GradeResult, Policy]:
    compiled = compiled_key(key_id, expects_query=case.is_query_case)
    answers = answer_lines(lines)
    codes: dict[str, set[str]] = {}
    for line in (*compiled.lines, *answers):
        codes.setdefault(line.system, set()).add(line.code)
    oracle = oracle_for_case(case, codes)
    demographics = Demographics(age=case.patient_age, sex=case.patient_sex or None)
    policy = policy or policy_for(case)
    result = grade(compiled, answers, policy=policy, oracle=oracle, demographics=demographics,
                   answered_query=query_provider)
    return result, policy
