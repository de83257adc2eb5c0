"""The inpatient review of a graded submission and of an answer key: the grouper, the weights and the case's
fiscal year brought to the pure engine (exercises.grading.drg)."""

from __future__ import annotations

import datetime
from typing import Sequence

from django.conf import settings

from codesets.models import CodeSetRelease

from ..grading import AnswerLine, KeyLine, Policy, prepare_answer
from ..grading.drg import DrgGrouper, DrgReview, GrouperError, drg_review
from .grouper import default_grouper
from .weights import weights_for_year

INPATIENT = "inpatient"
EXAMPLE_BASE_RATE = Policy().drg_base_rate


def fiscal_year_of(day: datetime.date) -> int:
    """US federal fiscal years start on October 1: 2025-10-01 is FY2026."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_for_case(case) -> int:
    """The fiscal year of the ICD-10-CM release the case is pinned to; else the configured default year."""
    release = case.icd10cm_release if case.icd10cm_release_id is not None else None
    if release is None or not release.effective_from:
        return int(getattr(settings, "DRG_DEFAULT_FISCAL_YEAR", 2026))
    return fiscal_year_of(release.effective_from)


def grouper_or_none() -> tuple[DrgGrouper | None, str]:
    try:
        return default_grouper(), ""
    except GrouperError as exc:
        return None, f"The MS-DRG grouper is not available: {exc}."


def case_drg_review(*, case, key_lines: Sequence[KeyLine], answers: Sequence[AnswerLine], policy: Policy) -> dict | None:
    """The DRG review of one inpatient submission, as stored with its score; None for other settings.

    The key's claim is its required lines plus the optional lines the student coded (as scoring counts them).
    """
    if case.setting != INPATIENT:
        return None
    fiscal_year = fiscal_year_for_case(case)
    grouper, problem = grouper_or_none()
    if grouper is None:
        return DrgReview(fiscal_year=fiscal_year, problems=[problem]).as_dict()
    answers, _ = prepare_answer(answers)  # codes as the engine reads them (case, dots, repeats)
    coded = {line.code for line in answers}
    claim_lines = [line for line in key_lines if not line.optional or line.code in coded]
    review = drg_review(
        claim_lines, answers, grouper=grouper, fiscal_year=fiscal_year, weights=weights_for_year(fiscal_year),
        base_rate=policy.drg_base_rate, age=case.patient_age, sex=case.patient_sex or None,
    )
    return {**review.as_dict(), "base_rate_is_example": policy.drg_base_rate == EXAMPLE_BASE_RATE}


def key_review_grouper(*, release: CodeSetRelease | None) -> tuple[DrgGrouper | None, int | None]:
    """(grouper, fiscal year of the ICD-10-CM release) for the key review of an inpatient case."""
    grouper, _ = grouper_or_none()
    if grouper is None:
        return None, None
    if release is not None and release.effective_from:
        return grouper, fiscal_year_of(release.effective_from)
    return grouper, int(getattr(settings, "DRG_DEFAULT_FISCAL_YEAR", 2026))
