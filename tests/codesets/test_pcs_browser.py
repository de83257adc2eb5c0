"""The ICD-10-PCS table browser and code builder, over a release imported from the CMS-format sample (real HTTP)."""

from __future__ import annotations

import datetime
import time

import pytest

from codesets.models import CodeSetRelease
from codesets.services import release_import

pytestmark = pytest.mark.django_db


def test_browse_section_then_body_system_then_tables_with_their_definition(student_client, pcs_release):
    sections = student_client.get("/codesets/pcs/").content.decode()
    assert "Medical and Surgical" in sections and "Imaging" in sections
    systems = student_client.get("/codesets/pcs/?at=0").content.decode()
    assert "Gastrointestinal System" in systems and "Lower Joints" in systems
    tables = student_client.get("/codesets/pcs/?at=0D").content.decode()
    assert "0DT" in tables and "Cutting out or off, without replacement, all of a body part" in tables


def test_a_table_shows_its_axes_and_rows(student_client, pcs_release):
    page = student_client.get("/codesets/pcs/0DT/").content.decode()
    assert "Resection" in page and "Body Part" in page and "Percutaneous Endoscopic" in page
    assert "4 valid codes" in page
    assert student_client.get("/codesets/pcs/0ZZ/").status_code == 404


def test_the_builder_offers_only_what_the_table_allows_next(student_client, pcs_release):
    after_body_part = student_client.get("/codesets/pcs/build/?code=0DTJ").content.decode()
    assert "Next: Approach" in after_body_part
    assert 'data-pcs-pick="0DTJ0"' in after_body_part and 'data-pcs-pick="0DTJ4"' in after_body_part
    assert 'data-pcs-pick="0DTJ3"' not in after_body_part  # the resection row allows no percutaneous approach


def test_a_typed_code_is_explained_character_by_character(student_client, pcs_release):
    good = student_client.get("/codesets/pcs/build/?code=0dtj4zz").content.decode()
    assert "Percutaneous Endoscopic" in good and "Appendix" in good and "data-pcs-valid" in good
    bad = student_client.get("/codesets/pcs/build/?code=0DTJ3ZZ").content.decode()
    assert "not allowed here" in bad and "data-pcs-invalid" in bad
    unknown = student_client.get("/codesets/pcs/build/?code=0ZZ").content.decode()
    assert "No table 0ZZ" in unknown


def test_each_builder_step_answers_quickly(student_client, pcs_release):
    student_client.get("/codesets/pcs/build/?code=0DT")
    timings = []
    for code in ("0DT", "0DTJ", "0DTJ4", "0DTJ4Z", "0DTJ4ZZ") * 4:
        started = time.perf_counter()
        assert student_client.get(f"/codesets/pcs/build/?code={code}").status_code == 200
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[len(timings) // 2] < 0.05  # median step under 50 ms, test client included


def test_a_partial_demo_release_says_so_and_that_it_has_no_tables(student_client, tmp_path):
    order = tmp_path / "order.txt"
    order.write_text("00001 0DTJ4ZZ 1 " + "Resection of Appendix".ljust(60) + " Resection of Appendix, Percutaneous "
                     "Endoscopic Approach\n", encoding="utf-8")
    release = release_import(system="icd10pcs", path=order, label="Demo", effective_from=datetime.date(2025, 10, 1),
                             activate=True).release
    CodeSetRelease.objects.filter(pk=release.pk).update(source_files={**release.source_files, "complete": False})
    page = student_client.get("/codesets/pcs/").content.decode()
    assert "data-partial-release" in page and "data-no-tables" in page


def test_signed_out_visitors_are_sent_to_sign_in(client, pcs_release):
    assert client.get("/codesets/pcs/").status_code == 302
