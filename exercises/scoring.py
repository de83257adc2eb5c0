"""Glue between the catalog/database and the pure grading engine."""

from __future__ import annotations

from collections import OrderedDict

from .grading import AnswerLine, CompiledKey, Demographics, GradeResult, KeyLine, Policy, grade
from .grading.query_rubric import QuerySpecData, RubricResult, StudentQuery, combine_scores, evaluate_query
from .models import AnswerKeyLine, Case, GradingPolicy, ProviderQuery, QuerySpec
from .inpatient.services import case_drg_review
from .oracle import oracle_for_case

_KEYS: "OrderedDict[int, CompiledKey]" = OrderedDict()


def key_lines_for(key_id: int) -> list[KeyLine]:
    return [
        KeyLine(
            code=line.code, role=line.role, system=line.system, modifiers=tuple(line.modifiers or ()),
            units=line.units, points=line.points, alternates=tuple(line.alternates or ()), optional=line.optional,
            rationale=line.rationale, guideline=line.guideline_refs, poa=line.poa,
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
            modifiers=tuple(line.get("modifiers") or ()), units=line.get("units", 1), poa=line.get("poa") or "",
        )
        for line in raw_lines
    ]


class QueryExerciseResult:
    """The grade of a query exercise: the engine's coding grade combined with the query rubric's score.

    Reads like a GradeResult (``score``, ``passed``, ``as_dict()``, the engine's attributes); ``as_dict`` adds
    ``coding_score`` and ``query_rubric`` (criteria, score, weight, spec version) to the engine's result.
    """

    def __init__(self, coding: GradeResult, rubric: RubricResult, *, policy: Policy, spec: QuerySpec):
        self.coding = coding
        self.rubric = rubric
        self.weight = policy.query_rubric_weight
        self.spec_version = spec.version
        self.gap = spec.gap
        self.score = combine_scores(coding.score, rubric.score, self.weight)
        self.passed = self.score >= policy.pass_mark

    def __getattr__(self, name: str):
        return getattr(self.coding, name)

    def as_dict(self) -> dict:
        data = self.coding.as_dict()
        data.update(score=self.score, passed=self.passed, coding_score=self.coding.score, query_rubric={
            **self.rubric.as_dict(), "weight": self.weight, "spec_version": self.spec_version, "gap": self.gap,
        })
        return data


def _query_spec(case: Case) -> QuerySpec | None:
    """A query exercise's spec; no database query for the other cases."""
    if not case.is_query_case:
        return None
    return QuerySpec.objects.filter(case_id=case.pk).first()


def _student_query(submission_id: int | None) -> StudentQuery | None:
    if submission_id is None:
        return None
    query = ProviderQuery.objects.filter(submission_id=submission_id, sent_at__isnull=False).first()
    if query is None:
        return None
    return StudentQuery(format=query.format, question=query.question, indicators=query.indicators,
                        options=tuple(query.options or ()))


def grade_lines(*, case: Case, key_id: int, lines: list[dict], query_provider: bool,
                policy: Policy | None = None, submission_id: int | None = None) -> tuple[GradeResult, Policy]:
    """Grade a submission's lines. On a query exercise the query is scored by the rubric instead of the
    "query the provider" point, and the case score combines both (``query_rubric_weight``)."""
    spec = _query_spec(case)
    if spec is not None:
        result, policy = _grade_codes(case=case, key_id=key_id, lines=lines, expects_query=False,
                                      answered_query=False, policy=policy)
        rubric = evaluate_query(_student_query(submission_id), QuerySpecData.from_mapping(spec.rubric_data()))
        return QueryExerciseResult(result, rubric, policy=policy, spec=spec), policy
    return _grade_codes(case=case, key_id=key_id, lines=lines, expects_query=case.is_query_case,
                        answered_query=query_provider, policy=policy)


def _grade_codes(*, case: Case, key_id: int, lines: list[dict], expects_query: bool, answered_query: bool,
                 policy: Policy | None) -> tuple[GradeResult, Policy]:
    compiled = compiled_key(key_id, expects_query=expects_query)
    answers = answer_lines(lines)
    codes: dict[str, set[str]] = {}
    for line in (*compiled.lines, *answers):
        codes.setdefault(line.system, set()).add(line.code)
    oracle = oracle_for_case(case, codes)
    demographics = Demographics(age=case.patient_age, sex=case.patient_sex or None)
    policy = policy or policy_for(case)
    result = grade(compiled, answers, policy=policy, oracle=oracle, demographics=demographics,
                   answered_query=answered_query)
    if case.setting == "inpatient":  # the MS-DRG of the key's and the student's claims (display, never the score)
        result.drg = case_drg_review(case=case, key_lines=compiled.lines, answers=answers, policy=policy)
    return result, policy
