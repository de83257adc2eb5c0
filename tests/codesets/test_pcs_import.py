"""ICD-10-PCS through the versioned pipeline: the CMS tables XML (and order file) parsed into tables and codes,
hostile and malformed files refused with a clear message, and releases, diffs and the command as for ICD-10-CM."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from codesets.models import Code, CodeSetRelease
from codesets.parsers import CodeSetFormatError, parse_codeset
from codesets.parsers.icd10pcs import parse_pcs_order, parse_pcs_tables
from codesets.services import release_import

from .conftest import fixture_path

TABLES = fixture_path("pcs_tables_fy2026_sample.xml")
ORDER = fixture_path("pcs_order_fy2026_sample.txt")


def test_tables_expand_into_the_codes_each_row_allows_with_the_table_axes_kept():
    parsed = parse_pcs_tables(TABLES)
    codes = {r.code: r for r in parsed.records if r.billable}
    assert len(codes) == 18 + 4 + 6 + 2
    assert {"0DTJ4ZZ", "0DTJ0ZZ", "027034Z", "0SRR0J9", "B2111ZZ"} <= set(codes)
    assert "0DTJ3ZZ" not in codes  # percutaneous is not an approach the resection row allows
    headers = {r.code: r for r in parsed.records if not r.billable}
    assert [headers[c].kind for c in ("0", "0D", "0DT")] == ["chapter", "block", "category"]
    axes = headers["0DT"].notes["axes"]
    assert axes["3"] == {"title": "Operation", "value": "T", "label": "Resection",
                         "definition": "Cutting out or off, without replacement, all of a body part"}
    assert headers["B21"].notes["rows"][0]["5"]["title"] == "Contrast"
    assert codes["0DTJ4ZZ"].parent_code == "0DT" and codes["0DTJ4ZZ"].long_title == (
        "Resection, Appendix, Percutaneous Endoscopic")


def test_the_order_file_gives_the_official_titles():
    parsed = parse_codeset("icd10pcs", TABLES, order_path=ORDER)
    titles = {r.code: r.long_title for r in parsed.records if r.billable}
    assert titles["0DTJ4ZZ"] == "Resection of Appendix, Percutaneous Endoscopic Approach"
    alone = parse_pcs_order(ORDER)
    assert alone.billable_count == 30 and {r.code for r in alone.records if r.kind == "category"} == {
        "027", "0DT", "0SR", "B21"}


def _tables(body: str) -> str:
    return f'<?xml version="1.0"?><ICD10PCS.tabular>{body}</ICD10PCS.tabular>'


TABLE = ('<pcsTable><axis pos="1"><title>Section</title><label code="0">Medical and Surgical</label></axis>'
         '<axis pos="2"><title>Body System</title><label code="D">Gastrointestinal System</label></axis>'
         '<axis pos="3"><title>Operation</title><label code="T">Resection</label></axis>'
         '<pcsRow codes="{n}"><axis pos="4"><title>Body Part</title><label code="{part}">Appendix</label></axis>'
         '<axis pos="5"><title>Approach</title><label code="0">Open</label></axis>'
         '<axis pos="6"><title>Device</title><label code="Z">No Device</label></axis>'
         '<axis pos="7"><title>Qualifier</title><label code="Z">No Qualifier</label></axis></pcsRow></pcsTable>')


@pytest.mark.parametrize(("content", "message"), [
    (_tables(TABLE.format(n=1, part="J"))[:-40], "not well-formed XML"),
    (_tables(TABLE.format(n=1, part="I")), "has the value 'I'; ICD-10-PCS values are one digit or letter (not I or O)"),
    (_tables(TABLE.format(n=3, part="J")), "the row says it has 3 codes, its axes make 1"),
    (_tables(""), "contains no tables"),
    ('<?xml version="1.0"?><ICD10CM.tabular/>', "not an ICD-10-PCS tables file"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ICD10PCS.tabular>&a;</ICD10PCS.tabular>',
     "refused for safety"),
])
def test_bad_tables_files_get_a_clear_message(tmp_path, content, message):
    path = tmp_path / "tables.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodeSetFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_codeset("icd10pcs", path)


def test_bad_order_files_get_a_clear_message(tmp_path):
    path = tmp_path / "order.txt"
    path.write_text("00001 0DTJ4Z  1 " + "Resection".ljust(60) + " Resection of Appendix\n", encoding="utf-8")
    with pytest.raises(CodeSetFormatError, match="not an ICD-10-PCS code"):
        parse_codeset("icd10pcs", path)
    mismatch = tmp_path / "short_order.txt"
    mismatch.write_text("\n".join(ORDER.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8")
    with pytest.raises(CodeSetFormatError, match="are they from the same year"):
        parse_codeset("icd10pcs", TABLES, order_path=mismatch)


@pytest.mark.django_db
def test_the_command_imports_a_release_and_a_second_year_diffs_against_it(tmp_path):
    out = StringIO()
    call_command("import_codeset", str(TABLES), system="icd10pcs", label="FY2026-sample", effective="2025-10-01",
                 order_file=str(ORDER), stdout=out)
    release = CodeSetRelease.objects.get(system="icd10pcs", label="FY2026-sample")
    assert release.status == "ready" and release.billable_count == 30
    assert Code.objects.get(release=release, code="0DTJ4ZZ").long_title == (
        "Resection of Appendix, Percutaneous Endoscopic Approach")
    # The next year drops the ascending colon row and adds nothing: two deleted codes.
    next_year = tmp_path / "tables_2027.xml"
    next_year.write_text(TABLES.read_text(encoding="utf-8").replace(
        '<label code="J">Appendix</label><label code="K">Ascending Colon</label>', '<label code="J">Appendix</label>'
    ).replace('<pcsRow codes="4">', '<pcsRow codes="2">'), encoding="utf-8")
    outcome = release_import(system="icd10pcs", path=next_year, label="FY2027-sample",
                             effective_from=datetime.date(2026, 10, 1))
    assert outcome.release.billable_count == 28
    assert outcome.release.changes.filter(kind="deleted").count() == 2


@pytest.mark.django_db
def test_a_bad_file_leaves_a_failed_release_and_no_codes(tmp_path):
    path = tmp_path / "tables.xml"
    path.write_text(_tables(TABLE.format(n=1, part="O")), encoding="utf-8")
    with pytest.raises(CommandError, match="not I or O"):
        call_command("import_codeset", str(path), system="icd10pcs", label="Broken", effective="2025-10-01",
                     stdout=StringIO())
    release = CodeSetRelease.objects.get(system="icd10pcs", label="Broken")
    assert release.status == "failed" and not Code.objects.filter(release=release).exists()
