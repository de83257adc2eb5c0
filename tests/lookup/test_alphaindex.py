"""The Alphabetic Index parser, import command, and search over imported terms."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from codesets.models import CodeSetRelease, ReleaseStatus
from lookup.alphaindex import IndexFormatError, parse_index_xml
from lookup.models import IndexSource, IndexTerm

SAMPLE = Path(__file__).parent / "data" / "icd10cm_index_sample.xml"
API = "/api/v1/codes/search/"


def _xml(body: str) -> io.BytesIO:
    return io.BytesIO(f'<?xml version="1.0"?><ICD10CM.index><version>2026</version>{body}</ICD10CM.index>'.encode())


def test_parser_reads_main_terms_nested_subterms_see_and_default_codes():
    parsed = parse_index_xml(SAMPLE)
    assert parsed.version == "2026"
    by_path = {" > ".join(e.path): e for e in parsed.entries}
    diabetes = by_path["Diabetes, diabetic"]
    assert (diabetes.level, diabetes.code, diabetes.nemod, diabetes.letter) == (0, "E11.9", "(mellitus) (sugar)", "D")
    neuropathy = by_path["Diabetes, diabetic > type 2 > with > neuropathy"]
    assert (neuropathy.level, neuropathy.code) == (3, "E11.40")
    assert parsed.entries[neuropathy.parent].title == "with"
    assert by_path["Diabetes, diabetic > insipidus"].see == "Diabetes insipidus, nephrogenic"
    assert by_path["Fracture, traumatic"].see_also == "Fracture, pathological"
    assert by_path["Fracture, traumatic > femur, femoral > neck"].code == "S72.00-"
    assert by_path["Grippe"].see == "Influenza"
    assert by_path["Failure > heart > congestive"].nemod == "(compensated) (decompensated)"
    assert [e.position for e in parsed.entries] == list(range(len(parsed.entries)))


def test_parser_skips_codes_that_are_not_codes_with_a_warning():
    parsed = parse_index_xml(_xml("<letter><title>A</title><mainTerm><title>Odd</title><code>see above</code></mainTerm></letter>"))
    assert parsed.entries[0].code == ""
    assert "not an ICD-10-CM code" in parsed.warnings[0]


@pytest.mark.parametrize(
    "payload, message",
    [
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
         b"<ICD10CM.index><letter><title>&lol2;</title></letter></ICD10CM.index>", "refused for safety"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]><ICD10CM.index>&ext;</ICD10CM.index>',
         "refused for safety"),
        (b"<ICD10CM.tabular><chapter/></ICD10CM.tabular>", "not an ICD-10-CM Alphabetic Index"),
        (b"<ICD10CM.index><letter><title>A</title><mainTerm><title>Abc", "not well-formed"),
        (b"<ICD10CM.index><version>1</version></ICD10CM.index>", "no index terms"),
        (b"<ICD10CM.index><letter><title>A</title><mainTerm><code>A00</code></mainTerm></letter></ICD10CM.index>", "no title"),
        (b"", "not well-formed"),
    ],
)
def test_parser_refuses_unsafe_or_wrong_files(payload, message):
    with pytest.raises(IndexFormatError, match=message):
        parse_index_xml(io.BytesIO(payload))


@pytest.mark.django_db
def test_import_command_stores_terms_and_is_idempotent(release):
    out = io.StringIO()
    call_command("import_icd10cm_index", str(SAMPLE), "--release", str(release.pk), stdout=out)
    assert "imported 14 terms of the Index to Diseases and Injuries" in out.getvalue()
    assert IndexTerm.objects.filter(release=release).count() == 14
    neck = IndexTerm.objects.get(release=release, path="Fracture, traumatic > femur, femoral > neck")
    assert (neck.code, neck.code_key, neck.level) == ("S72.00-", "S7200", 2)
    assert IndexSource.objects.get(release=release).term_count == 14
    assert AuditEvent.objects.filter(action="lookup.index_import").count() == 1
    assert "J02.9" in out.getvalue()  # named in the Index, not in this release: reported

    again = io.StringIO()
    call_command("import_icd10cm_index", str(SAMPLE), "--release", release.label, stdout=again)
    assert "already imported" in again.getvalue()
    assert IndexTerm.objects.filter(release=release).count() == 14


@pytest.mark.django_db
@pytest.mark.parametrize("release_arg, message", [("999", "No ICD-10-CM release"), ("nope", "No ICD-10-CM release")])
def test_import_command_names_an_unknown_release(release, release_arg, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_icd10cm_index", str(SAMPLE), "--release", release_arg)


@pytest.mark.django_db
def test_a_bad_file_leaves_the_previous_terms_in_place(release, tmp_path):
    call_command("import_icd10cm_index", str(SAMPLE), "--release", str(release.pk), stdout=io.StringIO())
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<ICD10CM.index><letter><title>A</title><mainTerm><title>Ab")
    with pytest.raises(CommandError, match="not well-formed"):
        call_command("import_icd10cm_index", str(broken), "--release", str(release.pk))
    assert IndexTerm.objects.filter(release=release).count() == 14
    with pytest.raises(CommandError, match="No file"):
        call_command("import_icd10cm_index", str(tmp_path / "missing.xml"), "--release", str(release.pk))


@pytest.mark.django_db
def test_only_ready_icd10cm_releases_take_an_index(release):
    importing = CodeSetRelease.objects.create(system="icd10cm", label="next", effective_from="2026-10-01",
                                              status=ReleaseStatus.IMPORTING)
    with pytest.raises(CommandError, match="not ready"):
        call_command("import_icd10cm_index", str(SAMPLE), "--release", str(importing.pk))


@pytest.mark.django_db
def test_search_uses_index_terms_once_imported(student_client, release):
    assert student_client.get(API, {"q": "decompensated"}).json()["results"] == []
    call_command("import_icd10cm_index", str(SAMPLE), "--release", str(release.pk), stdout=io.StringIO())
    assert student_client.get(API, {"q": "decompensated"}).json()["results"][0]["code"] == "I50.9"
    assert student_client.get(API, {"q": "diabetes"}).json()["results"][0]["code"] == "E11.9"
    assert "S72.00" in [hit["code"] for hit in student_client.get(API, {"q": "traumatic femur neck"}).json()["results"]]
