"""MS-DRG payment impact of an inpatient answer: the key's claim and the student's, grouped and compared. Pure.

The grouper is injected (``DrgGrouper``: the ``msdrg`` adapter in ``exercises/inpatient/`` in production, a table in
the tests), so this module stays free of native code, Django and I/O, like the rest of the engine.

``drg_review`` groups both claims and explains the difference the way a DRG auditor does:

* the DRG, MDC and relative weight of each claim, and the payment at a base rate (an example figure unless the
  policy sets one): payment = relative weight x base rate;
* which secondary diagnosis made the CC or MCC of each DRG (the grouper says which codes drove the severity);
* what each of the student's errors changed, found by applying it alone to the key's claim and grouping again:
  "Missing E87.1 (a CC): DRG 194 -> 195". When no single error moves the DRG but all of them together do, that is
  said too;
* the Medicare Code Editor edits on the student's claim (invalid or unacceptable principal diagnosis, a
  manifestation or external cause first, age and sex conflicts, questionable admissions, ...).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from .normalize import display_code
from .poa import EXEMPT as POA_EXEMPT
from .types import ICD10CM, PRINCIPAL, SECONDARY

ICD10PCS = "icd10pcs"
MCC = "MCC"
CC = "CC"
NO_CC = "NONE"
SEVERITY_WORDS = {MCC: "an MCC", CC: "a CC", NO_CC: "not a CC"}

# The Medicare Code Editor's edits, in words (Definition of Medicare Code Edits). ``codes`` attribute the edit.
MCE_MESSAGES = {
    "INVALID_CODE": "{codes}: not a valid ICD-10 code on the discharge date",
    "SEX_CONFLICT": "{codes}: conflicts with the patient's sex",
    "AGE_CONFLICT": "{codes}: conflicts with the patient's age",
    "E_CODE_AS_PDX": "{codes}: an external cause code is never the principal diagnosis",
    "MANIFESTATION_AS_PDX": "{codes}: a manifestation code is never the principal diagnosis",
    "UNACCEPTABLE_PDX": "{codes}: unacceptable as a principal diagnosis (it does not describe a reason for an "
                        "inpatient admission)",
    "NONSPECIFIC_PDX": "{codes}: a nonspecific principal diagnosis",
    "QUESTIONABLE_ADMISSION": "{codes}: a questionable reason for an inpatient admission",
    "QUESTIONABLE_OBSTETRIC_ADMISSION": "{codes}: a questionable obstetric admission",
    "REQUIRES_SDX": "{codes}: as the principal diagnosis it requires a secondary diagnosis",
    "DUPLICATE_OF_PDX": "{codes}: a secondary diagnosis that repeats the principal diagnosis",
    "UNSPECIFIED": "{codes}: an unspecified code",
    "INVALID_AGE": "the patient's age is not valid for the editor",
    "INVALID_SEX": "the patient's sex is missing or not valid for the editor",
    "INVALID_DISCHARGE_STATUS": "the discharge status is not valid",
    "INVALID_POA": "{codes}: the POA indicator is not valid",
    "INVALID_ADMIT_DX": "the admitting diagnosis is not valid",
    "NON_COVERED": "{codes}: a procedure Medicare does not cover",
    "LIMITED_COVERAGE": "{codes}: a procedure with limited Medicare coverage",
    "OPEN_BIOPSY": "{codes}: an open biopsy procedure",
    "BILATERAL": "{codes}: bilateral procedures on a claim that also reports both sides",
    "WRONG_PROCEDURE_PERFORMED": "{codes}: a wrong procedure performed",
}
MCE_GUIDELINES = {"E_CODE_AS_PDX": "I.C.20", "MANIFESTATION_AS_PDX": "I.A.13", "UNACCEPTABLE_PDX": "II",
                  "DUPLICATE_OF_PDX": "I.B.12"}
# Edits that block the claim from grouping right (a key with one of them is not publishable).
MCE_BLOCKING = frozenset({"INVALID_CODE", "SEX_CONFLICT", "AGE_CONFLICT", "E_CODE_AS_PDX", "MANIFESTATION_AS_PDX",
                          "UNACCEPTABLE_PDX", "DUPLICATE_OF_PDX", "INVALID_POA"})


class GrouperError(Exception):
    """The grouper could not group the claim (unsupported year, failure inside the grouper): a message, never a 500."""


@dataclass(frozen=True, slots=True)
class Claim:
    """An inpatient claim as the grouper reads it. Codes without dots; POA "1" means exempt (sent blank)."""

    principal: str
    principal_poa: str = ""
    secondaries: tuple[tuple[str, str], ...] = ()  # (code, POA)
    procedures: tuple[str, ...] = ()  # ICD-10-PCS
    age: int | None = None
    sex: str | None = None  # "M", "F" or None (unknown)
    discharge_status: int = 1  # home or self care

    def secondary_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.secondaries)


@dataclass(frozen=True, slots=True)
class SecondaryEffect:
    code: str
    severity: str  # MCC, CC or NONE on the grouper's list
    drives_drg: bool  # this code set the DRG's severity level (not excluded, not outranked)


@dataclass(frozen=True, slots=True)
class MceEdit:
    name: str
    codes: tuple[str, ...] = ()
    procedure: bool = False  # the codes are ICD-10-PCS (no dot)

    @property
    def message(self) -> str:
        shown = ", ".join(code if self.procedure else display_code(code) for code in self.codes) or "The claim"
        text = MCE_MESSAGES.get(self.name, "{codes}: " + self.name.replace("_", " ").lower()).format(codes=shown)
        return text[0].upper() + text[1:] + " (Medicare Code Editor)."

    @property
    def guideline(self) -> str:
        return MCE_GUIDELINES.get(self.name, "")

    @property
    def blocking(self) -> bool:
        return self.name in MCE_BLOCKING

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "codes": list(self.codes), "message": self.message, "guideline": self.guideline}


@dataclass(frozen=True, slots=True)
class DrgGroup:
    drg: int | None
    mdc: int | None = None
    title: str = ""
    mdc_title: str = ""
    severity: str = NO_CC  # the severity the DRG used
    return_code: str = "OK"
    secondaries: tuple[SecondaryEffect, ...] = ()
    edits: tuple[MceEdit, ...] = ()

    @property
    def ok(self) -> bool:
        return self.return_code == "OK" and self.drg is not None and self.drg not in (998, 999)

    def drivers(self) -> list[SecondaryEffect]:
        return [s for s in self.secondaries if s.drives_drg and s.severity in (CC, MCC)]

    def label(self) -> str:
        return f"DRG {self.drg:03d}" if self.drg is not None else "no DRG"


class DrgGrouper(Protocol):
    def group(self, claim: Claim, *, fiscal_year: int) -> DrgGroup:
        """Group one claim with the MS-DRG version of the fiscal year, with the MCE edits. Raises GrouperError."""


@dataclass(frozen=True, slots=True)
class DrgWeight:
    drg: int
    weight: float
    title: str = ""
    mdc: str = ""
    kind: str = ""  # MED or SURG
    gmlos: float | None = None
    amlos: float | None = None


@dataclass(slots=True)
class DrgReview:
    fiscal_year: int
    key: DrgGroup | None = None
    student: DrgGroup | None = None
    key_weight: float | None = None
    student_weight: float | None = None
    base_rate: float | None = None
    changes: list[str] = field(default_factory=list)
    key_drivers: list[str] = field(default_factory=list)
    student_drivers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why part of the review is missing (grouper, weights)

    @property
    def same_drg(self) -> bool:
        return bool(self.key and self.student and self.key.drg == self.student.drg)

    def payment(self, weight: float | None) -> float | None:
        if weight is None or self.base_rate is None:
            return None
        return round(weight * self.base_rate, 2)

    @property
    def payment_difference(self) -> float | None:
        key, student = self.payment(self.key_weight), self.payment(self.student_weight)
        return None if key is None or student is None else round(student - key, 2)

    def as_dict(self) -> dict[str, Any]:
        def group(g: DrgGroup | None, weight: float | None) -> dict[str, Any] | None:
            if g is None:
                return None
            return {
                "drg": g.drg, "mdc": g.mdc, "title": g.title, "mdc_title": g.mdc_title, "severity": g.severity,
                "return_code": g.return_code, "ok": g.ok, "weight": weight, "payment": self.payment(weight),
                "edits": [e.as_dict() for e in g.edits],
            }

        return {
            "fiscal_year": self.fiscal_year, "key": group(self.key, self.key_weight),
            "student": group(self.student, self.student_weight), "base_rate": self.base_rate,
            "payment_difference": self.payment_difference, "same_drg": self.same_drg, "changes": list(self.changes),
            "key_drivers": list(self.key_drivers), "student_drivers": list(self.student_drivers),
            "problems": list(self.problems),
        }


def claim_from_lines(lines: Sequence[Any], *, age: int | None, sex: str | None) -> Claim | None:
    """The claim of key or answer lines (KeyLine / AnswerLine): ICD-10-CM diagnoses and ICD-10-PCS procedures.

    CPT and HCPCS lines are professional or outpatient codes: the MS-DRG grouper does not read them. None when
    there is no principal diagnosis (nothing to group).
    """
    principal = None
    secondaries: list[tuple[str, str]] = []
    procedures: list[str] = []
    for line in lines:
        if line.system == ICD10CM:
            if line.role == PRINCIPAL and principal is None:
                principal = line
            elif line.role in (PRINCIPAL, SECONDARY) and line.code not in (c for c, _ in secondaries):
                secondaries.append((line.code, line.poa))
        elif line.system == ICD10PCS and line.code not in procedures:
            procedures.append(line.code)
    if principal is None:
        return None
    return Claim(principal.code, principal.poa, tuple(secondaries), tuple(procedures), age, sex)


def _effect_text(before: DrgGroup, after: DrgGroup) -> str:
    if after.drg == before.drg:
        return ""
    if before.drg is None or after.drg is None:
        return f"{before.label()} \u2192 {after.label()}"
    return f"DRG {before.drg:03d} \u2192 {after.drg:03d}"


def _severity_of(group: DrgGroup, code: str) -> str:
    for effect in group.secondaries:
        if effect.code == code:
            return effect.severity
    return NO_CC


def _drivers_text(group: DrgGroup) -> list[str]:
    texts = []
    for effect in group.drivers():
        texts.append(f"{display_code(effect.code)} is {SEVERITY_WORDS[effect.severity]}: it made "
                     f"{group.label()} ({group.title}).")
    if not texts and group.ok and group.severity == NO_CC and group.secondaries:
        texts.append(f"No secondary diagnosis is a CC or MCC for {group.label()}.")
    return texts


def _changes(key_claim: Claim, student_claim: Claim, key_group: DrgGroup, student_group: DrgGroup,
             grouper: DrgGrouper, fiscal_year: int) -> list[str]:
    """What each of the student's differences from the key does to the key's DRG when made alone."""
    changes: list[str] = []
    key_sdx = dict(key_claim.secondaries)
    student_sdx = dict(student_claim.secondaries)

    def regroup(claim: Claim) -> DrgGroup | None:
        try:
            return grouper.group(claim, fiscal_year=fiscal_year)
        except GrouperError:
            return None

    replace = dataclasses.replace

    if student_claim.principal != key_claim.principal:
        rest = tuple((c, p) for c, p in key_claim.secondaries if c != student_claim.principal)
        if key_claim.principal in student_sdx:
            rest = ((key_claim.principal, student_sdx[key_claim.principal]), *rest)
        alone = regroup(replace(key_claim, principal=student_claim.principal,
                                principal_poa=student_claim.principal_poa, secondaries=rest))
        if alone is not None and alone.drg != key_group.drg:
            changes.append(f"Principal diagnosis {display_code(student_claim.principal)} instead of "
                           f"{display_code(key_claim.principal)}: {_effect_text(key_group, alone)}.")
    for code, poa in key_claim.secondaries:
        if code in student_sdx or code == student_claim.principal:
            continue
        alone = regroup(replace(key_claim, secondaries=tuple(s for s in key_claim.secondaries if s[0] != code)))
        if alone is not None and alone.drg != key_group.drg:
            changes.append(f"Missing {display_code(code)} ({SEVERITY_WORDS[_severity_of(key_group, code)]}): "
                           f"{_effect_text(key_group, alone)}.")
    for code, poa in student_claim.secondaries:
        if code in key_sdx or code == key_claim.principal:
            continue
        alone = regroup(replace(key_claim, secondaries=(*key_claim.secondaries, (code, poa))))
        if alone is not None and alone.drg != key_group.drg:
            changes.append(f"Extra {display_code(code)} ({SEVERITY_WORDS[_severity_of(alone, code)]}), not supported "
                           f"by the documentation: {_effect_text(key_group, alone)}.")
    for code, poa in student_claim.secondaries:
        key_poa = key_sdx.get(code)
        if key_poa is None or _same_poa(key_poa, poa):
            continue
        alone = regroup(replace(key_claim, secondaries=tuple((c, poa if c == code else p)
                                                               for c, p in key_claim.secondaries)))
        if alone is not None and alone.drg != key_group.drg:
            changes.append(f"POA {poa or 'blank'} instead of {key_poa} on {display_code(code)}: "
                           f"{_effect_text(key_group, alone)}.")
    for code in key_claim.procedures:
        if code in student_claim.procedures:
            continue
        alone = regroup(replace(key_claim, procedures=tuple(p for p in key_claim.procedures if p != code)))
        if alone is not None and alone.drg != key_group.drg:
            changes.append(f"Missing procedure {code}: {_effect_text(key_group, alone)}.")
    for code in student_claim.procedures:
        if code in key_claim.procedures:
            continue
        alone = regroup(replace(key_claim, procedures=(*key_claim.procedures, code)))
        if alone is not None and alone.drg != key_group.drg:
            changes.append(f"Extra procedure {code}: {_effect_text(key_group, alone)}.")
    if student_group.drg != key_group.drg and not any(change.endswith(f"\u2192 {student_group.drg:03d}.")
                                                      for change in changes if student_group.drg is not None):
        together = "Your differences together" if changes else "Your errors together"
        changes.append(f"{together}: {_effect_text(key_group, student_group)}.")
    return changes


def _same_poa(a: str, b: str) -> bool:
    return (a or POA_EXEMPT) == (b or POA_EXEMPT)


def drg_review(
    key_lines: Sequence[Any],
    answer_lines: Sequence[Any],
    *,
    grouper: DrgGrouper,
    fiscal_year: int,
    weights: Mapping[int, DrgWeight] | None,
    base_rate: float | None,
    age: int | None = None,
    sex: str | None = None,
) -> DrgReview:
    """Group the key's claim and the student's, and explain the difference. Never raises for bad input."""
    review = DrgReview(fiscal_year=fiscal_year, base_rate=base_rate)
    key_claim = claim_from_lines(key_lines, age=age, sex=sex)
    student_claim = claim_from_lines(answer_lines, age=age, sex=sex)
    if key_claim is None:
        review.problems.append("The answer key has no principal diagnosis, so no DRG can be computed.")
        return review
    try:
        review.key = grouper.group(key_claim, fiscal_year=fiscal_year)
        if student_claim is not None:
            review.student = grouper.group(student_claim, fiscal_year=fiscal_year)
    except GrouperError as exc:
        review.problems.append(f"The MS-DRG grouper could not group this claim: {exc}")
        return review
    if student_claim is None:
        review.problems.append("Your answer has no principal diagnosis, so your claim cannot be grouped to a DRG.")
    if weights is None:
        review.problems.append(f"No MS-DRG relative weights are loaded for FY{fiscal_year}, so payments are not shown.")
    else:
        review.key_weight = _weight(weights, review.key)
        review.student_weight = _weight(weights, review.student)
    review.key_drivers = _drivers_text(review.key) if review.key.ok else []
    if review.student is not None:
        review.student_drivers = _drivers_text(review.student) if review.student.ok else []
        if review.key.ok:
            review.changes = _changes(key_claim, student_claim, review.key, review.student, grouper, fiscal_year)
        if not review.student.ok:
            reason = review.student.return_code.replace("_", " ").lower()
            review.changes.append(f"Your claim does not group to a payable DRG ({reason}).")
    return review


def _weight(weights: Mapping[int, DrgWeight], group: DrgGroup | None) -> float | None:
    if group is None or group.drg is None:
        return None
    found = weights.get(group.drg)
    return found.weight if found else None


def mce_key_problems(group: DrgGroup) -> tuple[list[MceEdit], list[MceEdit]]:
    """(blocking, warnings) among the MCE edits of a key's claim."""
    blocking = [edit for edit in group.edits if edit.blocking]
    warnings = [edit for edit in group.edits if not edit.blocking]
    return blocking, warnings
