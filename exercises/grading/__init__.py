"""Pure grading engine for chart-coding cases (no Django): see engine.py and docs/grading.md."""

from .engine import grade, score_from_components
from .prepare import MAX_LINES, CompiledKey, compile_key, prepare_answer
from .normalize import display_code, normalize_code, normalize_modifiers, normalize_units
from .types import (
    CPT,
    EM,
    HCPCS,
    ICD10CM,
    PRINCIPAL,
    PROCEDURE,
    SECONDARY,
    AnswerLine,
    CodeFacts,
    Demographics,
    GradeResult,
    GuidelineCheck,
    KeyLine,
    LineFinding,
    Oracle,
    Policy,
)

__all__ = [
    "MAX_LINES", "CompiledKey", "compile_key", "grade", "prepare_answer", "score_from_components", "display_code", "normalize_code",
    "normalize_modifiers", "normalize_units", "CPT", "EM", "HCPCS", "ICD10CM", "PRINCIPAL", "PROCEDURE",
    "SECONDARY", "AnswerLine", "CodeFacts", "Demographics", "GradeResult", "GuidelineCheck", "KeyLine",
    "LineFinding", "Oracle", "Policy",
]
