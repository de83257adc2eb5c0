"""The cohort DRG audit: how often the students' inpatient claims group to the key's MS-DRG, and what their coding
would have cost or gained the hospital. This is how hospitals audit coders.

Nothing is regrouped here: each score keeps the DRG review made when it was graded (``SubmissionScore.result
["drg"]``, see ``exercises.grading.drg.DrgReview.as_dict``), so the page reads one row per current score, in one
query, whatever the size of the cohort. ``summarise`` is pure: it takes those stored reviews and counts.

Payment variance is the student's claim payment minus the key's (negative: the hospital would be under-paid), at the
base rate each score was graded with.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from coding_lms.csv_export import csv_writer

SEVERITY_RANK = {"NONE": 0, "CC": 1, "MCC": 2}
SEVERITY_NAME = {"CC": "CC", "MCC": "MCC"}


@dataclass(frozen=True, slots=True)
class AuditInput:
    """One current score of an inpatient submission, as the selector reads it."""

    submission_id: int
    student_id: int
    student_name: str
    student_username: str
    case_id: int
    case_title: str
    submitted_at: datetime.datetime | None
    review: dict[str, Any] | None  # the stored DrgReview.as_dict(), or None when none was made


@dataclass(slots=True)
class AuditRow:
    """One submission in the audit."""

    submission_id: int
    student_id: int
    student_name: str
    case_id: int
    case_title: str
    submitted_at: datetime.datetime | None
    key_drg: int | None = None
    student_drg: int | None = None
    key_title: str = ""
    student_title: str = ""
    grouped: bool = False  # the key's claim grouped to a payable DRG, so the submission counts
    matched: bool = False
    variance: float | None = None  # student payment - key payment, None without weights
    shift: str = ""  # "195 instead of 194: missed CC"
    problem: str = ""  # why it does not count, or why it has no payment
    fiscal_year: int | None = None
    base_rate: float | None = None
    example_rate: bool = False  # the base rate is the example figure, not one the program set
    no_weights: bool = False


@dataclass(slots=True)
class Tally:
    """Counts over a set of rows: one student, one case, or the whole cohort."""

    label: str = ""
    ident: int | None = None
    submissions: int = 0
    scored: int = 0
    matched: int = 0
    with_payment: int = 0
    variance_total: float = 0.0
    absolute_total: float = 0.0

    def add(self, row: AuditRow) -> None:
        self.submissions += 1
        if not row.grouped:
            return
        self.scored += 1
        self.matched += int(row.matched)
        if row.variance is not None:
            self.with_payment += 1
            self.variance_total = round(self.variance_total + row.variance, 2)
            self.absolute_total = round(self.absolute_total + abs(row.variance), 2)

    @property
    def accuracy(self) -> float | None:
        return self.matched / self.scored if self.scored else None

    @property
    def variance_mean(self) -> float | None:
        return round(self.variance_total / self.with_payment, 2) if self.with_payment else None

    @property
    def absolute_mean(self) -> float | None:
        return round(self.absolute_total / self.with_payment, 2) if self.with_payment else None


@dataclass(slots=True)
class DrgAudit:
    total: Tally
    students: list[Tally]
    cases: list[Tally]
    shifts: list[tuple[str, int]]
    rows: list[AuditRow]
    example_base_rate: bool = False  # some payments use the example base rate, not one the program set
    base_rates: list[float] = field(default_factory=list)
    years_without_weights: list[int] = field(default_factory=list)


def shift_reason(key: dict[str, Any], student: dict[str, Any] | None) -> str:
    """Why the student's DRG differs from the key's, in an auditor's words, from the two stored groups."""
    if student is None or student.get("drg") is None:
        return "the claim could not be grouped"
    if not student.get("ok", True):
        return "the claim does not group to a payable DRG"
    if key.get("mdc") != student.get("mdc"):
        return f"different principal diagnosis (MDC {key.get('mdc')} instead of {student.get('mdc')})"
    key_rank = SEVERITY_RANK.get(key.get("severity") or "NONE", 0)
    student_rank = SEVERITY_RANK.get(student.get("severity") or "NONE", 0)
    if student_rank < key_rank:
        return f"missed {SEVERITY_NAME[key['severity']]}"
    if student_rank > key_rank:
        return f"extra {SEVERITY_NAME[student['severity']]}"
    return "different principal diagnosis or procedure"


def _drg(value: int | None) -> str:
    return f"{value:03d}" if value is not None else "none"


def audit_row(item: AuditInput) -> AuditRow:
    row = AuditRow(item.submission_id, item.student_id, item.student_name, item.case_id, item.case_title,
                   item.submitted_at)
    review = item.review or {}
    key, student = review.get("key"), review.get("student")
    if not review:
        row.problem = "No DRG review was stored with this score (regrade it to add one)."
        return row
    if not key or not key.get("ok") or key.get("drg") is None:
        row.problem = " ".join(review.get("problems") or []) or "The answer key's claim did not group."
        return row
    row.grouped = True
    row.fiscal_year = review.get("fiscal_year")
    row.base_rate = review.get("base_rate")
    row.example_rate = bool(review.get("base_rate_is_example"))
    row.key_drg, row.key_title = key["drg"], key.get("title") or ""
    if student:
        row.student_drg, row.student_title = student.get("drg"), student.get("title") or ""
    row.matched = bool(review.get("same_drg"))
    if not row.matched:
        row.shift = f"{_drg(row.student_drg)} instead of {_drg(row.key_drg)}: {shift_reason(key, student)}"
    difference = review.get("payment_difference")
    if difference is not None:
        row.variance = float(difference)
    elif student is not None and student.get("drg") is not None and key.get("payment") is not None:
        row.variance = -float(key["payment"])  # the student's DRG has no weight: nothing would be paid
    elif key.get("payment") is None:
        row.no_weights = True
        row.problem = f"No MS-DRG weights are loaded for FY{row.fiscal_year}, so this claim has no payment."
    else:
        row.problem = "The student's claim has no principal diagnosis, so it has no payment."
    return row


def summarise(items: Iterable[AuditInput], *, roster: Iterable[tuple[int, str]] = ()) -> DrgAudit:
    """Counts per student (everyone on the roster, in order, then anyone else), per case and in total."""
    rows = [audit_row(item) for item in items]
    total = Tally(label="All students")
    students: dict[int, Tally] = {pk: Tally(label=name, ident=pk) for pk, name in roster}
    cases: dict[int, Tally] = {}
    shifts: Counter[str] = Counter()
    for row in rows:
        total.add(row)
        students.setdefault(row.student_id, Tally(label=row.student_name, ident=row.student_id)).add(row)
        cases.setdefault(row.case_id, Tally(label=row.case_title, ident=row.case_id)).add(row)
        if row.shift:
            shifts[row.shift] += 1
    return DrgAudit(
        total=total, students=list(students.values()),
        cases=sorted(cases.values(), key=lambda t: (t.accuracy if t.accuracy is not None else 2, t.label)),
        shifts=sorted(shifts.items(), key=lambda kv: (-kv[1], kv[0])), rows=rows,
        example_base_rate=any(r.example_rate for r in rows if r.variance is not None),
        base_rates=sorted({float(r.base_rate) for r in rows if r.variance is not None and r.base_rate is not None}),
        years_without_weights=sorted({r.fiscal_year for r in rows if r.no_weights and r.fiscal_year}),
    )


def audit_csv(audit: DrgAudit) -> str:
    """One line per submission, then the totals per student: for a spreadsheet, through the shared safe writer."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["student", "case", "submission", "submitted_at", "key_drg", "student_drg", "drg_matched",
                     "payment_variance", "shift", "note"])
    for row in audit.rows:
        writer.writerow([
            row.student_name, row.case_title, row.submission_id,
            row.submitted_at.isoformat() if row.submitted_at else "",
            _blank(row.key_drg), _blank(row.student_drg), ("yes" if row.matched else "no") if row.grouped else "",
            _blank(row.variance), row.shift, row.problem,
        ])
    writer.writerow([])
    writer.writerow(["student", "scored", "drg_matched", "drg_accuracy", "variance_total", "variance_mean",
                     "absolute_variance_total", "absolute_variance_mean"])
    for tally in [*audit.students, audit.total]:
        writer.writerow([
            tally.label, tally.scored, tally.matched,
            "" if tally.accuracy is None else round(tally.accuracy, 4),
            tally.variance_total if tally.with_payment else "", _blank(tally.variance_mean),
            tally.absolute_total if tally.with_payment else "", _blank(tally.absolute_mean),
        ])
    return out.getvalue()


def _blank(value: Any) -> Any:
    return "" if value is None else value
