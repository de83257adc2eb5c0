"""Value types of the grading engine. Plain Python: no Django, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping

PRINCIPAL = "principal"
SECONDARY = "secondary"
PROCEDURE = "procedure"
EM = "em"
ROLES = (PRINCIPAL, SECONDARY, PROCEDURE, EM)
DIAGNOSIS_ROLES = frozenset({PRINCIPAL, SECONDARY})
PROCEDURE_ROLES = frozenset({PROCEDURE, EM})

ICD10CM = "icd10cm"
CPT = "cpt"
HCPCS = "hcpcs"
ICD10PCS = "icd10pcs"
SYSTEMS = (ICD10CM, CPT, HCPCS, ICD10PCS)

CORRECT = "correct"
PARTIAL = "partial"
WRONG = "wrong"
MISSING = "missing"
EXTRA = "extra"
VERDICTS = (CORRECT, PARTIAL, WRONG, MISSING, EXTRA)


def role_group(role: str) -> str:
    return "dx" if role in DIAGNOSIS_ROLES else "px"


@dataclass(frozen=True, slots=True)
class KeyLine:
    """One line of an answer key."""

    code: str
    role: str = SECONDARY
    system: str = ICD10CM
    modifiers: tuple[str, ...] = ()
    units: int = 1
    points: float = 1.0
    alternates: tuple[str, ...] = ()
    optional: bool = False
    rationale: str = ""
    guideline: str = ""
    poa: str = ""  # present-on-admission indicator of an inpatient diagnosis (poa.py); "" = not graded


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One line a student entered."""

    code: str
    role: str = SECONDARY
    system: str = ICD10CM
    modifiers: tuple[str, ...] = ()
    units: int = 1
    poa: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    """How much each kind of near miss is worth and what over- and under-coding cost.

    Credits are fractions of a key line's points. ``denominator`` chooses the scoring formula:
    ``"max"`` divides the points earned by max(points in the key, points entered) so over-coding and
    under-coding cost the same (the Practicode rule); ``"key"`` divides by the key's points and
    subtracts ``extra_penalty`` per extra line and ``missing_penalty`` per missing point.
    """

    category_credit: float = 0.25
    subcategory_credit: float = 0.5
    seventh_char_credit: float = 0.75
    modifier_credit: float = 0.5
    units_credit: float = 0.5
    wrong_position_credit: float = 0.5
    em_level_credit: float = 0.5  # an E/M code one level from the key's (see em.py); two or more levels earn 0
    # Share of an inpatient diagnosis line's points that is its POA indicator: a wrong one keeps 1 - poa_credit.
    poa_credit: float = 0.25
    extra_penalty: float = 1.0
    missing_penalty: float = 0.0
    violation_penalty: float = 0.0
    query_points: float = 1.0
    query_rubric_weight: float = 0.3  # query exercises: share of the case score that is the query rubric's score
    # The base rate a DRG's relative weight is multiplied by to show payments (inpatient cases): an example
    # figure unless an administrator sets the hospital's own. Display only: it never changes a score.
    drg_base_rate: float = 6500.0
    # ICD-10-PCS: the share of a line's credit each of the 7 characters (axes) earns when right (pcs.py).
    pcs_axis_weights: tuple[float, ...] = (0.05, 0.10, 0.30, 0.30, 0.10, 0.10, 0.05)
    denominator: str = "max"
    pass_mark: float = 70.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "denominator":
                if value not in ("max", "key"):
                    raise ValueError("denominator must be 'max' or 'key'")
            elif f.name == "pcs_axis_weights":
                if not isinstance(value, (list, tuple)) or len(value) != 7 or any(
                    not isinstance(w, (int, float)) or w < 0 for w in value
                ) or abs(sum(value) - 1.0) > 1e-6:
                    raise ValueError("pcs_axis_weights must be 7 numbers >= 0 that add up to 1")
                object.__setattr__(self, f.name, tuple(float(w) for w in value))
            elif not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{f.name} must be a number >= 0")
            elif f.name.endswith("_credit") and value > 1:
                raise ValueError(f"{f.name} must be between 0 and 1")
        if self.query_rubric_weight > 1:
            raise ValueError("query_rubric_weight must be between 0 and 1")
        if self.pass_mark > 100:
            raise ValueError("pass_mark must be between 0 and 100")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> "Policy":
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


CODE_FIRST = "code_first"
USE_ADDITIONAL = "use_additional"
CODE_ALSO = "code_also"


@dataclass(frozen=True, slots=True)
class InstructionalNote:
    """A "Code first", "Use additional code" or "Code also" note that applies to a code.

    Read from the release's Tabular rows: the code's own, or its category's or subcategory's (``source``).
    The note is met when any of its ``references`` (see notes.py) is coded. ``conditional`` notes ("if
    applicable", "such as", a list of circumstances) leave it to the coder whether they apply.
    """

    kind: str  # CODE_FIRST, USE_ADDITIONAL or CODE_ALSO
    source: str  # the code (no dot) whose Tabular entry carries the note
    text: str  # as printed, e.g. "Code first underdosing of medication (T36-T50) with fifth or sixth character 6"
    references: tuple[str, ...]
    conditional: bool = False


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """What the pinned release says about one code (built by the caller from the catalog)."""

    exists: bool = True
    billable: bool = True
    needs_seventh: bool = False
    title: str = ""
    excludes1: tuple[str, ...] = ()  # code prefixes ("E10", "O244") or category ranges ("O10-O16")
    manifestation: bool = False
    sex: str | None = None  # "F" or "M" when the code is for one sex only
    min_age: int | None = None
    max_age: int | None = None
    notes: tuple[InstructionalNote, ...] = ()  # code first / use additional / code also, its own and its parents'
    poa_exempt: bool | None = None  # from an official exempt list loaded with the release; None: poa.py's rules
    axes: tuple[tuple[str, str], ...] = ()  # ICD-10-PCS: (axis title, value label) of the 7 characters, from the tables
    pcs_bilateral: str = ""  # ICD-10-PCS: the same procedure on the bilateral body part, when the table has one


# system -> code (no dot, upper case) -> facts. A system missing from the oracle is not checked.
Oracle = Mapping[str, Mapping[str, CodeFacts]]


@dataclass(frozen=True, slots=True)
class Demographics:
    age: int | None = None
    sex: str | None = None


@dataclass(slots=True)
class LineFinding:
    verdict: str
    role: str
    system: str
    key_index: int | None = None
    answer_index: int | None = None
    key_code: str = ""
    answer_code: str = ""
    key_modifiers: tuple[str, ...] = ()
    answer_modifiers: tuple[str, ...] = ()
    key_units: int = 1
    answer_units: int = 1
    credit: float = 0.0
    points_possible: float = 0.0
    points_earned: float = 0.0
    optional: bool = False
    rationale: str = ""
    guideline: str = ""
    messages: list[str] = field(default_factory=list)
    key_poa: str = ""
    answer_poa: str = ""

    def as_dict(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies and is several times slower.
        return {
            "verdict": self.verdict, "role": self.role, "system": self.system, "key_index": self.key_index,
            "answer_index": self.answer_index, "key_code": self.key_code, "answer_code": self.answer_code,
            "key_modifiers": list(self.key_modifiers), "answer_modifiers": list(self.answer_modifiers),
            "key_units": self.key_units, "answer_units": self.answer_units, "credit": round(self.credit, 4),
            "points_possible": self.points_possible, "points_earned": round(self.points_earned, 4),
            "optional": self.optional, "rationale": self.rationale, "guideline": self.guideline,
            "messages": list(self.messages), "key_poa": self.key_poa, "answer_poa": self.answer_poa,
        }


@dataclass(frozen=True, slots=True)
class GuidelineCheck:
    kind: str  # invalid_code, header_code, missing_seventh, excludes1, manifestation_first, age_conflict, sex_conflict
    # and, for instructional notes (never scored): code_first, code_first_sequence, use_additional, code_also
    codes: tuple[str, ...]
    message: str
    guideline: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "codes": list(self.codes), "message": self.message, "guideline": self.guideline}


@dataclass(slots=True)
class GradeResult:
    score: float
    passed: bool
    earned: float
    possible: float
    key_points: float
    findings: list[LineFinding]
    checks: list[GuidelineCheck]
    notices: list[str]
    counts: dict[str, int]
    components: dict[str, float] = field(default_factory=dict)
    drg: dict[str, Any] | None = None  # the MS-DRG review of an inpatient submission (drg.py), added by the caller

    def as_dict(self) -> dict[str, Any]:
        extra = {"drg": self.drg} if self.drg is not None else {}
        return {
            **extra,
            "components": dict(self.components),
            "score": self.score,
            "passed": self.passed,
            "earned": self.earned,
            "possible": self.possible,
            "key_points": self.key_points,
            "findings": [f.as_dict() for f in self.findings],
            "checks": [c.as_dict() for c in self.checks],
            "notices": list(self.notices),
            "counts": dict(self.counts),
        }
