"""Is an answer key (or a quiz answer) fit to publish? One pure rule set for every path that publishes a key.

``key_review`` takes the key lines, what the pinned release says about their codes (the oracle) and the case's
patient, and sorts what it finds:

* **blocking problems** (publishing is refused): a code that does not exist in the release, a header (non-billable)
  code, a missing 7th character or placeholder X, a code that conflicts with the patient's sex or age. Alternates
  are held to the same rules: a student entering them must be right.
* **warnings** (shown, never blocking): Excludes1 pairs, a manifestation code listed first, "Code first",
  "Use additional code" and "Code also" notes the key does not meet, and the ICD-10-PCS guideline checks
  (pcs_checks.py: a code twice, an Inspection with a more definitive procedure, coronary arteries by number,
  bilateral values, a value its table does not allow).

``codes_review`` applies the blocking rules to a plain list of accepted codes (code-entry quiz and exam
questions, which have no patient).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .checks import demographic_problems, guideline_checks, instructional_note_checks, validity_problem
from .normalize import code_shape_ok, display_code
from .drg import DrgGrouper, GrouperError, claim_from_lines
from .pcs_checks import pcs_guideline_checks
from .poa import APPENDIX_I, key_poa_warnings
from .types import CPT, DIAGNOSIS_ROLES, HCPCS, ICD10CM, ICD10PCS, AnswerLine, Demographics, GuidelineCheck, KeyLine, Oracle

BLOCKING_KINDS = frozenset({"invalid_code", "header_code", "missing_seventh", "age_conflict", "sex_conflict"})


@dataclass(frozen=True, slots=True)
class KeyProblem:
    line: int | None  # 1-based key line (or answer position); None for the whole key
    code: str
    kind: str
    message: str
    guideline: str = ""

    def text(self) -> str:
        where = f"Key line {self.line}: " if self.line else ""
        cite = f" (guideline {self.guideline})" if self.guideline else ""
        return f"{where}{self.message}{cite}"


@dataclass(slots=True)
class KeyReview:
    problems: list[KeyProblem] = field(default_factory=list)  # blocking
    warnings: list[KeyProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        """Every blocking problem as one line of text (code + why)."""
        return [problem.text() for problem in self.problems]


def _problem(line: int | None, check: GuidelineCheck, prefix: str = "") -> KeyProblem:
    code = check.codes[0] if check.codes else ""
    return KeyProblem(line, code, check.kind, prefix + check.message, check.guideline)


def key_review(lines: Sequence[KeyLine], oracle: Oracle, demographics: Demographics | None = None, *,
               inpatient: bool = False, grouper: DrgGrouper | None = None, fiscal_year: int | None = None) -> KeyReview:
    """Blocking problems and warnings of an answer key (codes already normalised, no dots).

    ``inpatient``: the key's diagnoses carry present-on-admission indicators (Appendix I), checked against the
    exempt list; what is off is a warning. With a ``grouper`` the key's claim also goes through the Medicare Code
    Editor of the fiscal year: the edits that reject a claim (drg.MCE_BLOCKING) block, the others warn.
    """
    review = KeyReview()
    answer_like = [AnswerLine(line.code, line.role, line.system, line.modifiers, line.units) for line in lines]
    checks, _ = guideline_checks(answer_like, oracle, demographics)
    numbers: dict[str, list[int]] = {}
    for number, line in enumerate(lines, start=1):
        numbers.setdefault(line.code, []).append(number)
    for check in checks:
        found = sorted({n for code in check.codes for n in numbers.get(code, [])})
        target = review.problems if check.kind in BLOCKING_KINDS else review.warnings
        target.append(_problem(found[0] if found else None, check))
    icd_table = oracle.get(ICD10CM) or {}
    for number, line in enumerate(lines, start=1):
        for alternate in line.alternates:
            problem = validity_problem(oracle, line.system, alternate)
            if problem is not None:
                review.problems.append(_problem(number, problem, "Alternate: "))
                continue
            facts = icd_table.get(alternate) if line.system == ICD10CM else None
            if facts is not None:
                review.problems.extend(_problem(number, check, "Alternate: ")
                                       for check in demographic_problems(alternate, facts, demographics))
    for index, check in instructional_note_checks(answer_like, oracle):
        review.warnings.append(_problem(index + 1, check))
    pcs_lines = [(index, line.code) for index, line in enumerate(lines) if line.system == ICD10PCS]
    for indexes, check in pcs_guideline_checks(pcs_lines, oracle.get(ICD10PCS) or {}) if pcs_lines else ():
        review.warnings.append(_problem(indexes[0] + 1, check))
    if inpatient:
        for number, line in enumerate(lines, start=1):
            if line.system != ICD10CM or line.role not in DIAGNOSIS_ROLES:
                continue
            facts = icd_table.get(line.code)
            for message in key_poa_warnings(line.poa, line.code, facts.poa_exempt if facts else None):
                review.warnings.append(KeyProblem(number, line.code, "poa", f"{display_code(line.code)} {message}",
                                                  APPENDIX_I))
    if inpatient and grouper is not None and fiscal_year is not None:
        _mce_review(review, lines, grouper, fiscal_year, demographics)
    review.problems.sort(key=lambda p: (p.line or 0))
    return review


def _mce_review(review: KeyReview, lines: Sequence[KeyLine], grouper: DrgGrouper, fiscal_year: int,
                demographics: Demographics | None) -> None:
    claim = claim_from_lines(lines, age=demographics.age if demographics else None,
                             sex=demographics.sex if demographics else None)
    if claim is None:
        return
    try:
        group = grouper.group(claim, fiscal_year=fiscal_year)
    except GrouperError as exc:
        review.warnings.append(KeyProblem(None, "", "mce", f"The MS-DRG grouper could not check this key: {exc}."))
        return
    numbers: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        numbers.setdefault(line.code, number)
    already = {(p.code, p.kind) for p in review.problems}
    for edit in group.edits:
        kind = "mce_" + edit.name.lower()
        if edit.name in ("AGE_CONFLICT", "SEX_CONFLICT") and all(
            (code, edit.name.lower()) in already for code in edit.codes
        ):
            continue  # the release's own age and sex edits already said so
        line = numbers.get(edit.codes[0]) if edit.codes else None
        problem = KeyProblem(line, edit.codes[0] if edit.codes else "", kind, edit.message, edit.guideline)
        (review.problems if edit.blocking else review.warnings).append(problem)
    if not group.ok:
        review.warnings.append(KeyProblem(None, claim.principal, "drg_ungroupable",
                                          f"The key's claim does not group to a payable MS-DRG ({group.return_code})."))


def codes_review(codes: Iterable[str], system: str, oracle: Oracle) -> KeyReview:
    """Blocking problems of a list of accepted answer codes (normalised); ``line`` is the 1-based position."""
    review = KeyReview()
    for number, code in enumerate(codes, start=1):
        problem = validity_problem(oracle, system, code)
        if problem is not None:
            review.problems.append(KeyProblem(number, code, problem.kind, problem.message, problem.guideline))
    return review


def problems_text(problems: Iterable[KeyProblem], *, label: str = "Accepted answer") -> list[str]:
    """'Accepted answer E11.6: E11.6 is a header ... (guideline I.B.2)' for code lists."""
    return [
        f"{label} {display_code(p.code)}: {p.message}" + (f" (guideline {p.guideline})" if p.guideline else "")
        for p in problems
    ]


def answer_code_system(code: str, declared: str = "") -> str | None:
    """The code system an accepted answer belongs to: its shape decides, the declared system breaks ties
    (A0100 is both a HCPCS and an ICD-10-CM shape). None for a shape of no system checked here (e.g. ICD-10-PCS)."""
    if code_shape_ok(code, CPT):
        return CPT
    if declared in (ICD10CM, HCPCS) and code_shape_ok(code, declared):
        return declared
    if code_shape_ok(code, ICD10CM):
        return ICD10CM
    if code_shape_ok(code, HCPCS):
        return HCPCS
    return None
