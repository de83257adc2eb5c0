"""The official POA exempt list loaded for a release decides the inpatient key review's POA warnings."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exercises.inpatient.poa_exempt import PoaExemptFileError, parse_poa_exempt
from exercises.services.authoring import case_key_check

from .factories import CaseFactory

pytestmark = pytest.mark.django_db

HEADER = "OrdApr23\tPOAexemptCode\tDescription\n"


def test_the_file_is_read_and_a_wrong_file_refused():
    assert parse_poa_exempt(HEADER + "00010\tZ794\tLong term (current) use of insulin\n") == {"Z794"}
    with pytest.raises(PoaExemptFileError, match="not an ICD-10-CM code"):
        parse_poa_exempt(HEADER + "00010\t0DTJ4ZZ\tResection\n")
    with pytest.raises(PoaExemptFileError, match="lists no codes"):
        parse_poa_exempt(HEADER)


def test_a_loaded_list_wins_over_the_rules_in_the_key_review(release, instructor, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    case = CaseFactory(slug="inpatient-list", setting="inpatient", icd10cm_release=release, patient_age=60,
                       patient_sex="M", author=instructor)
    lines = [{"role": "principal", "system": "icd10cm", "code": "I10", "poa": "1"},
             {"role": "secondary", "system": "icd10cm", "code": "Z794", "poa": "Y"}]
    by_rules = [i.message for i in case_key_check(case=case, lines=lines) if i.kind == "poa"]
    assert by_rules == ["I10 is not on the POA exempt list: it needs Y, N, U or W, not 1 (guideline Appendix I)",
                        "Z79.4 is on the POA exempt list: its indicator is left blank (1), not Y (guideline Appendix I)"]
    official = tmp_path / "POAexemptCodes2026.txt"
    official.write_text(HEADER + "00001\tI10\tEssential (primary) hypertension\n", encoding="utf-8")
    call_command("import_poa_exempt", str(official), release=release.label, stdout=StringIO())
    by_list = [i.message for i in case_key_check(case=case, lines=lines) if i.kind == "poa"]
    assert by_list == []  # by the loaded list I10 is exempt and Z79.4 is not, as the key says
    with pytest.raises(CommandError, match="No ICD-10-CM release"):
        call_command("import_poa_exempt", str(official), release="FY1999")
