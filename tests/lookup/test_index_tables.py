"""The Neoplasm Table, the Table of Drugs and Chemicals and the External Cause Index: parsers, import,
browser pages and what they add to search."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from codesets.models import Code, CodeKind
from lookup.alphaindex import (
    DRUG_COLUMNS,
    NEOPLASM_COLUMNS,
    IndexFormatError,
    parse_drug_xml,
    parse_eindex_xml,
    parse_index_file,
    parse_index_xml,
    parse_neoplasm_xml,
)
from lookup.models import IndexSource, IndexTerm

DATA = Path(__file__).parent / "data"
INDEX = DATA / "icd10cm_index_sample.xml"
EINDEX = DATA / "icd10cm_eindex_sample.xml"
NEOPLASM = DATA / "icd10cm_neoplasm_sample.xml"
DRUG = DATA / "icd10cm_drug_sample.xml"
API = "/api/v1/codes/search/"
HEADING = ("<indexHeading><head>Neoplasm, neoplastic</head><head>Malignant Primary</head><head>Malignant Secondary</head>"
           "<head>Ca in situ</head><head>Benign</head><head>Uncertain Behavior</head><head>Unspecified Behavior</head>"
           "</indexHeading>")


def _table(body: str, heading: str = HEADING) -> io.BytesIO:
    return io.BytesIO(f'<?xml version="1.0"?><ICD10CM.index><version>2026</version>{heading}{body}</ICD10CM.index>'.encode())


def _by_path(parsed):
    return {" > ".join(entry.path): entry for entry in parsed.entries}


# Parsers ---------------------------------------------------------------------------------------------------------

def test_neoplasm_parser_reads_rows_subterms_and_six_columns_with_dashes_as_no_code():
    parsed = parse_neoplasm_xml(NEOPLASM)
    assert (parsed.table, parsed.version) == ("neoplasm", "2026")
    rows = _by_path(parsed)
    assert rows["liver"].cells == ["C22.9", "C78.7", "D01.5", "D13.4", "D37.6", "D49.0"]
    assert rows["bone"].cells == ["C41.9", "C79.51", "", "D16.9", "D48.0", "D49.2"]  # "-" under Ca in situ
    assert rows["bone"].nemod == "(periosteum)"
    assert rows["lung > lower lobe"].cells[0] == "C34.3-"
    assert rows["lung > lower lobe"].level == 1
    skin = rows["abdomen, abdominal > wall > skin"]
    assert (skin.level, skin.cells[1]) == (2, "C79.2")
    assert rows["abdomen, abdominal > wall"].cells == []
    assert rows["abdomen, abdominal > wall"].see_also == "Neoplasm, abdomen, wall, skin"
    assert [column.label for column in NEOPLASM_COLUMNS] == [
        "Malignant Primary", "Malignant Secondary", "Ca in situ", "Benign", "Uncertain Behavior", "Unspecified Behavior"]


def test_drug_parser_reads_substances_subterms_and_the_six_columns():
    parsed = parse_drug_xml(DRUG)
    assert parsed.table == "drug"
    rows = _by_path(parsed)
    assert rows["Warfarin"].cells == ["T45.511", "T45.512", "T45.513", "T45.514", "T45.515", "T45.516"]
    assert rows["Alcohol > ethyl"].cells == ["T51.0X1", "T51.0X2", "T51.0X3", "T51.0X4", "", ""]
    assert rows["Aspirin"].nemod == "(aluminum) (soluble)"
    assert [column.label for column in DRUG_COLUMNS][4:] == ["Adverse effect", "Underdosing"]


def test_external_cause_index_parser_reads_terms_codes_and_references():
    parsed = parse_eindex_xml(EINDEX)
    assert parsed.table == "eindex"
    rows = _by_path(parsed)
    assert rows["Fall, falling"].code == "W19"
    assert (rows["Fall, falling > from, off, out of > ladder"].code, rows["Fall, falling > from, off, out of > ladder"].level) == ("W11", 2)
    assert rows["Shot"].see == "Discharge, firearm"
    assert rows["Collision"].see_also == "Accident, transport"


@pytest.mark.parametrize("path, table", [(INDEX, "index"), (EINDEX, "eindex"), (NEOPLASM, "neoplasm"), (DRUG, "drug")])
def test_each_file_says_which_one_it_is(path, table):
    assert parse_index_file(path).table == table


def test_a_table_given_as_the_wrong_one_is_refused_by_name():
    with pytest.raises(IndexFormatError, match="is the Table of Drugs and Chemicals, not the Neoplasm Table"):
        parse_neoplasm_xml(DRUG)
    with pytest.raises(IndexFormatError, match="is the Neoplasm Table, not the Alphabetic Index"):
        parse_index_xml(NEOPLASM)


def test_an_external_cause_index_without_a_title_is_known_by_its_file_name():
    body = b'<ICD10CM.index><letter><title>F</title><mainTerm><title>Fall</title><code>W19</code></mainTerm></letter></ICD10CM.index>'
    assert parse_index_file(io.BytesIO(body), file_name="icd10cm_eindex_2026.xml").table == "eindex"
    assert parse_index_file(io.BytesIO(body), file_name="icd10cm_index_2026.xml").table == "index"


def test_a_cell_that_is_not_a_code_is_skipped_with_a_warning():
    parsed = parse_neoplasm_xml(_table('<letter><title>L</title><mainTerm><title>liver</title>'
                                       '<cell col="2">see text</cell><cell col="3">C78.7</cell></mainTerm></letter>'))
    assert parsed.entries[0].cells == ["", "C78.7", "", "", "", ""]
    assert "not an ICD-10-CM code" in parsed.warnings[0]


@pytest.mark.parametrize(
    "payload, message",
    [
        # Entity expansion (billion laughs), an external entity, and a DTD alone are refused before any term is read.
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
         b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><ICD10CM.index><letter><title>L</title><mainTerm>'
         b'<title>&lol3;</title><cell col="2">C22.9</cell></mainTerm></letter></ICD10CM.index>', "refused for safety"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]><ICD10CM.index>'
         b'<letter><title>W</title><mainTerm><title>&ext;</title><cell col="2">T45.511</cell></mainTerm></letter></ICD10CM.index>',
         "refused for safety"),
        (b'<?xml version="1.0"?><!DOCTYPE ICD10CM.index SYSTEM "http://example.invalid/x.dtd"><ICD10CM.index/>',
         "refused for safety"),
        (b'<ICD10CM.index><indexHeading><head>Substance</head><head>Poisoning, Accidental</head></indexHeading>'
         b'<letter><title>W</title><mainTerm><title>Warfarin</title><cell col="2">T45.511', "not well-formed"),
        (b'<ICD10CM.tabular><chapter/></ICD10CM.tabular>', "not an ICD-10-CM Alphabetic Index"),
        (b'<ICD10CM.index><indexHeading><head>Substance</head><head>Colour</head></indexHeading>'
         b'<letter><title>W</title><mainTerm><title>Warfarin</title></mainTerm></letter></ICD10CM.index>',
         "neither the Neoplasm Table's nor the Table of Drugs'"),
        (b'<ICD10CM.index>' + HEADING.encode() + b'<letter><title>L</title><mainTerm><title>liver</title>'
         b'<cell col="9">C22.9</cell></mainTerm></letter></ICD10CM.index>', "columns 2 to 7"),
        (b'<ICD10CM.index>' + HEADING.encode() + b'<letter><title>L</title><mainTerm><title>liver</title>'
         b'<cell col="x">C22.9</cell></mainTerm></letter></ICD10CM.index>', "no usable column number"),
        (b'<ICD10CM.index>' + HEADING.encode() + b'<letter><title>L</title><mainTerm><title>liver</title>'
         b'<cell col="2">-</cell></mainTerm></letter></ICD10CM.index>', "no codes in any of its columns"),
        (b'<ICD10CM.index>' + HEADING.encode() + b'<letter><title>L</title><mainTerm><cell col="2">C22.9</cell>'
         b'</mainTerm></letter></ICD10CM.index>', "has no title"),
        (b'<ICD10CM.index>' + HEADING.encode() + b'</ICD10CM.index>', "no index terms"),
    ],
)
def test_table_parser_refuses_hostile_or_malformed_files_with_a_clear_message(payload, message):
    with pytest.raises(IndexFormatError, match=message):
        parse_index_file(io.BytesIO(payload), file_name="icd10cm_neoplasm_2026.xml")


# Import ----------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_command_imports_the_four_files_together_and_each_once(release):
    out = io.StringIO()
    call_command("import_icd10cm_index", str(INDEX), str(EINDEX), str(NEOPLASM), str(DRUG), "--release", release.label, stdout=out)
    text = out.getvalue()
    for name in ("Index to Diseases and Injuries", "External Cause Index", "Neoplasm Table", "Table of Drugs and Chemicals"):
        assert f"of the {name}" in text
    assert dict(IndexSource.objects.filter(release=release).values_list("table", "term_count")) == {
        "index": 14, "eindex": 19, "neoplasm": 13, "drug": 15}
    liver = IndexTerm.objects.get(release=release, table="neoplasm", path="liver")
    assert liver.cells[1] == "C78.7"
    assert AuditEvent.objects.filter(action="lookup.index_import").count() == 4

    again = io.StringIO()
    call_command("import_icd10cm_index", str(DRUG), "--release", release.label, stdout=again)
    assert "already imported" in again.getvalue()
    assert AuditEvent.objects.filter(action="lookup.index_import").count() == 4


@pytest.mark.django_db
def test_a_table_alone_replaces_only_its_own_terms(release, tmp_path):
    call_command("import_icd10cm_index", str(INDEX), str(DRUG), "--release", release.label, stdout=io.StringIO())
    smaller = tmp_path / "icd10cm_drug_2027.xml"
    smaller.write_text(DRUG.read_text().replace("<title>Warfarin</title>", "<title>Warfarin sodium</title>"))
    call_command("import_icd10cm_index", str(smaller), "--release", release.label, stdout=io.StringIO())
    assert IndexTerm.objects.filter(release=release, table="drug", title="Warfarin sodium").exists()
    assert IndexTerm.objects.filter(release=release, table="index").count() == 14


@pytest.mark.django_db
def test_one_bad_file_among_several_stores_nothing(release, tmp_path):
    broken = tmp_path / "icd10cm_neoplasm_2026.xml"
    broken.write_bytes(b'<ICD10CM.index>' + HEADING.encode() + b'<letter><title>L</title><mainTerm><title>liver')
    with pytest.raises(CommandError, match="icd10cm_neoplasm_2026.xml: The file is not well-formed XML"):
        call_command("import_icd10cm_index", str(DRUG), str(broken), "--release", release.label)
    assert not IndexTerm.objects.filter(release=release).exists()
    assert not IndexSource.objects.filter(release=release).exists()


@pytest.mark.django_db
def test_two_files_of_the_same_table_are_refused(release, tmp_path):
    copy = tmp_path / "copy.xml"
    copy.write_bytes(DRUG.read_bytes())
    with pytest.raises(CommandError, match="are both the Table of Drugs and Chemicals"):
        call_command("import_icd10cm_index", str(DRUG), str(copy), "--release", release.label)


@pytest.mark.django_db
def test_codes_the_tables_name_that_the_release_lacks_are_listed(release):
    out = io.StringIO()
    call_command("import_icd10cm_index", str(NEOPLASM), "--release", release.label, stdout=out)
    assert "C78.7" in out.getvalue() and "codes named in icd10cm_neoplasm_sample.xml are not in" in out.getvalue()


# Browser ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def imported(release):
    call_command("import_icd10cm_index", str(INDEX), str(EINDEX), str(NEOPLASM), str(DRUG), "--release", release.label,
                 stdout=io.StringIO())
    return release


@pytest.mark.django_db
def test_neoplasm_table_page_shows_the_six_labelled_columns_dashes_and_tabular_links(student_client, imported):
    page = student_client.get("/lookup/index/", {"release": imported.pk, "table": "neoplasm", "letter": "B"})
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Malignant Primary", "Malignant Secondary", "Ca in situ", "Benign", "Uncertain Behavior", "Unspecified Behavior"):
        assert f'<th scope="col">{label}</th>' in html
    assert f'href="/lookup/code/C79.51/?release={imported.pk}"' in html
    assert '<span class="visually-hidden">no code</span>' in html  # bone, Ca in situ
    assert "liver" not in html  # another letter


@pytest.mark.django_db
def test_drug_table_page_lists_substances_with_their_columns(student_client, imported):
    html = student_client.get("/lookup/index/", {"release": imported.pk, "table": "drug", "letter": "W"}).content.decode()
    assert "Poisoning, Accidental (unintentional)" in html and "Underdosing" in html
    assert f'href="/lookup/code/T45.515/?release={imported.pk}"' in html


@pytest.mark.django_db
def test_external_cause_term_page_indents_subterms_and_links_codes(student_client, imported):
    fall = IndexTerm.objects.get(release=imported, table="eindex", level=0, title="Fall, falling")
    html = student_client.get(f"/lookup/index/eindex/{fall.sort_order}/", {"release": imported.pk}).content.decode()
    assert 'class="index-level-2' in html and "ladder" in html
    assert f'href="/lookup/code/W11/?release={imported.pk}"' in html
    assert "running" not in html  # a subterm of another main term


@pytest.mark.django_db
def test_a_code_from_the_index_opens_its_tabular_entry(student_client, imported):
    html = student_client.get("/lookup/index/", {"release": imported.pk, "table": "index", "letter": "D"}).content.decode()
    assert f'href="/lookup/code/E11.9/?release={imported.pk}"' in html
    assert student_client.get(f"/lookup/code/E11.9/?release={imported.pk}").status_code == 200


@pytest.mark.django_db
def test_see_references_are_followed_to_the_term_they_name(student_client, imported):
    shot = student_client.get("/lookup/index/see/", {"release": imported.pk, "table": "eindex", "ref": "Discharge, firearm"})
    firearm = IndexTerm.objects.get(release=imported, table="eindex", path="Discharge > firearm")
    main = IndexTerm.objects.get(release=imported, table="eindex", title="Discharge")
    assert shot.status_code == 302
    assert shot["Location"] == f"/lookup/index/eindex/{main.sort_order}/?release={imported.pk}#term-{firearm.sort_order}"
    # From the Index to the Neoplasm Table: "Neoplasm, abdomen, wall, skin".
    wall = student_client.get("/lookup/index/see/", {"release": imported.pk, "table": "neoplasm", "ref": "Neoplasm, abdomen, wall, skin"})
    skin = IndexTerm.objects.get(release=imported, table="neoplasm", path="abdomen, abdominal > wall > skin")
    assert wall.status_code == 302 and wall["Location"].endswith(f"#term-{skin.sort_order}")
    assert f"ref=Discharge%2C%20firearm" in student_client.get(
        "/lookup/index/", {"release": imported.pk, "table": "eindex", "letter": "S"}).content.decode()
    missing = student_client.get("/lookup/index/see/", {"release": imported.pk, "table": "eindex", "ref": "condition"})
    assert missing.status_code == 404 and "look up the condition itself" in missing.content.decode()


@pytest.mark.django_db
def test_find_a_main_term_and_tables_not_imported_say_so(student_client, release):
    call_command("import_icd10cm_index", str(INDEX), "--release", release.label, stdout=io.StringIO())
    found = student_client.get("/lookup/index/", {"release": release.pk, "q": "diab"}).content.decode()
    assert "Diabetes, diabetic" in found
    empty = student_client.get("/lookup/index/", {"release": release.pk, "table": "drug"})
    assert empty.status_code == 200 and "has not been imported" in empty.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url, params", [
    ("/lookup/index/", {"release": "abc"}),
    ("/lookup/index/", {"release": "99999"}),
    ("/lookup/index/nosuch/1/", {}),
    ("/lookup/index/drug/99999/", {}),
])
def test_bad_input_gets_a_404_not_a_500(student_client, imported, url, params):
    assert student_client.get(url, params).status_code == 404


@pytest.mark.django_db
def test_the_index_pages_need_a_signed_in_user(client, imported):
    response = client.get("/lookup/index/", {"release": imported.pk})
    assert response.status_code == 302 and "login" in response["Location"]


# Search ----------------------------------------------------------------------------------------------------------

def _add_codes(release, rows):
    Code.objects.bulk_create([
        Code(release=release, code=code, display_code=display, kind=CodeKind.CODE, long_title=title, short_title=title[:60],
             billable=billable, parent_code=parent, chapter="19", depth=0, sort_order=1000 + order, notes=notes)
        for order, (code, display, title, billable, parent, notes) in enumerate(rows)
    ])


SEVEN = {"seven_chr": {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}}
EXTRA_CODES = [
    ("T39", "T39", "Poisoning by, adverse effect of and underdosing of nonopioid analgesics, antipyretics and antirheumatics", False, "", SEVEN),
    ("T391X1", "T39.1X1", "Poisoning by 4-Aminophenol derivatives, accidental (unintentional)", False, "T39", {}),
    ("T391X1A", "T39.1X1A", "Poisoning by 4-Aminophenol derivatives, accidental (unintentional), initial encounter", True, "T391X1", {}),
    ("T391X2", "T39.1X2", "Poisoning by 4-Aminophenol derivatives, intentional self-harm", False, "T39", {}),
    ("T391X2A", "T39.1X2A", "Poisoning by 4-Aminophenol derivatives, intentional self-harm, initial encounter", True, "T391X2", {}),
    ("T45", "T45", "Poisoning by, adverse effect of and underdosing of primarily systemic and hematological agents", False, "", SEVEN),
    ("T45515", "T45.515", "Adverse effect of anticoagulants", False, "T45", {}),
    ("T45515A", "T45.515A", "Adverse effect of anticoagulants, initial encounter", True, "T45515", {}),
    ("T45516", "T45.516", "Underdosing of anticoagulants", False, "T45", {}),
    ("T45516A", "T45.516A", "Underdosing of anticoagulants, initial encounter", True, "T45516", {}),
    ("C22", "C22", "Malignant neoplasm of liver and intrahepatic bile ducts", False, "", {}),
    ("C229", "C22.9", "Malignant neoplasm of liver, not specified as primary or secondary", True, "C22", {}),
    ("C78", "C78", "Secondary malignant neoplasm of respiratory and digestive organs", False, "", {}),
    ("C787", "C78.7", "Secondary malignant neoplasm of liver and intrahepatic bile duct", True, "C78", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("query, expected, word_only_the_tables_know", [
    ("poisoning by acetaminophen accidental", "T39.1X1A", "acetaminophen"),
    ("adverse effect of warfarin", "T45.515A", "warfarin"),
    ("warfarin underdosing", "T45.516A", "warfarin"),
    ("metastatic to liver", "C78.7", "metastatic"),
])
def test_table_terms_feed_search_once_imported(student_client, release, query, expected, word_only_the_tables_know):
    _add_codes(release, EXTRA_CODES)
    assert student_client.get(API, {"q": word_only_the_tables_know}).json()["results"] == []
    call_command("import_icd10cm_index", str(NEOPLASM), str(DRUG), "--release", release.label, stdout=io.StringIO())
    assert student_client.get(API, {"q": query}).json()["results"][0]["code"] == expected


# Upload page and drop folder -------------------------------------------------------------------------------------

def _upload(name: str, path: Path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/xml")


@pytest.mark.django_db
def test_an_admin_uploads_the_tables_together_and_lands_on_the_first(admin_client_, release):
    response = admin_client_.post("/lookup/index/import/", {
        "release": release.pk,
        "neoplasm_file": _upload("icd10cm_neoplasm_2026.xml", NEOPLASM),
        "drug_file": _upload("icd10cm_drug_2026.xml", DRUG),
    })
    assert response.status_code == 302
    assert response["Location"] == f"/lookup/index/?release={release.pk}&table=neoplasm"
    assert set(IndexSource.objects.filter(release=release).values_list("table", flat=True)) == {"neoplasm", "drug"}
    assert IndexSource.objects.get(release=release, table="drug").imported_by is not None


@pytest.mark.django_db
def test_an_unsafe_upload_is_refused_with_a_400_and_nothing_stored(admin_client_, release):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bomb = SimpleUploadedFile("icd10cm_drug_2026.xml", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">'
                              b'<!ENTITY b "&a;&a;&a;&a;">]><ICD10CM.index>&b;</ICD10CM.index>')
    response = admin_client_.post("/lookup/index/import/", {"release": release.pk, "drug_file": bomb})
    assert response.status_code == 400 and "refused for safety" in response.content.decode()
    assert not IndexTerm.objects.exists()
    nothing = admin_client_.post("/lookup/index/import/", {"release": release.pk})
    assert nothing.status_code == 400 and "Choose at least one Index file" in nothing.content.decode()


@pytest.mark.django_db
def test_only_admins_import_index_files(student_client, instructor_client, release):
    for client in (student_client, instructor_client):
        assert client.get("/lookup/index/import/").status_code == 403
        assert client.post("/lookup/index/import/", {"release": release.pk, "drug_file": _upload("d.xml", DRUG)}).status_code == 403
    assert not IndexTerm.objects.exists()


@pytest.mark.django_db
def test_the_drop_folder_imports_index_files_into_their_fiscal_year(release, tmp_path, settings):
    from codesets.tasks import scan_drop_folder

    settings.CODESET_DROP_DIR = tmp_path
    settings.CODESET_DROP_MIN_AGE_SECONDS = 0
    (tmp_path / "icd10cm_drug_2026.xml").write_bytes(DRUG.read_bytes())
    (tmp_path / "icd10cm_eindex_2026.xml").write_bytes(EINDEX.read_bytes())
    (tmp_path / "icd10cm_neoplasm_2031.xml").write_bytes(NEOPLASM.read_bytes())
    report = scan_drop_folder()
    assert "icd10cm_drug_2026.xml: imported 15 terms of the Table of Drugs and Chemicals into ICD-10-CM FY2026" in report
    assert any("waiting for a ready ICD-10-CM release 2031" in line for line in report)
    assert set(IndexSource.objects.filter(release=release).values_list("table", flat=True)) == {"drug", "eindex"}
    assert not [line for line in scan_drop_folder() if "imported" in line]  # once each


# The full ICD-10-CM FY2026 with the sample tables (slow) ---------------------------------------------------------

@pytest.fixture(scope="module")
def full_index_with_tables():
    import importlib.util

    from codesets.parsers.icd10cm_xml import parse_icd10cm_xml
    from lookup.search import build_index, load_synonyms, record_entries
    from lookup.search.index_terms import index_term_entries

    package_dir = Path(importlib.util.find_spec("simple_icd_10_cm").submodule_search_locations[0])
    parsed = parse_icd10cm_xml(package_dir / "data" / "icd10c-tabular-April-1-2026.xml")
    entries = record_entries(parsed.records)
    rows = []
    for path in (INDEX, EINDEX, NEOPLASM, DRUG):
        tables = parse_index_file(path, file_name=path.name)
        rows += [(tables.table, e.level, e.title, e.nemod, " > ".join(e.path), e.code, e.cells) for e in tables.entries]
    synonyms = load_synonyms()
    return (build_index(entries, system="icd10cm", synonyms=synonyms),
            build_index(entries, system="icd10cm", synonyms=synonyms, index_terms=list(index_term_entries(rows))))


@pytest.mark.slow
@pytest.mark.parametrize("query, expected", [
    ("poisoning by acetaminophen accidental", "T39.1X1A"),
    ("adverse effect of warfarin", "T45.515A"),
    ("metastatic to liver", "C78.7"),
    ("acetaminophen overdose", "T39.1X1A"),
    ("metformin adverse effect", "T38.3X5A"),
])
def test_on_the_full_release_the_tables_answer_what_the_tabular_alone_cannot(full_index_with_tables, query, expected):
    from lookup.search import search

    plain, with_tables = full_index_with_tables
    assert [hit.code for hit in search(plain, query, limit=5)][:1] != [expected]
    assert search(with_tables, query, limit=5)[0].code == expected


@pytest.mark.slow
def test_without_table_terms_for_a_query_the_ranking_is_unchanged(full_index_with_tables):
    from lookup.search import search

    plain, with_tables = full_index_with_tables
    for query in ("dementia", "breast cancer", "ear infection", "cellulitis of right leg", "flu shot", "acute bronchitis"):
        assert [h.code for h in search(plain, query, limit=5)] == [h.code for h in search(with_tables, query, limit=5)]


def test_table_rows_become_index_subterm_entries_worded_as_the_book_reads_them():
    from lookup.search.index_terms import COLUMN_SEARCH_WORDS, index_term_entries

    assert {column.key for column in NEOPLASM_COLUMNS + DRUG_COLUMNS} == set(COLUMN_SEARCH_WORDS)
    rows = [
        ("neoplasm", 0, "liver", "", "liver", "", ["C22.9", "C78.7", "", "", "", ""]),
        ("drug", 0, "Warfarin", "", "Warfarin", "", ["", "", "", "", "T45.515", ""]),
        ("drug", 0, "Alcohol", "", "Alcohol", "", []),
        ("drug", 1, "ethyl", "", "Alcohol > ethyl", "", ["T51.0X1", "", "", "", "", ""]),
        ("eindex", 0, "Fall, falling", "(accidental)", "Fall, falling", "W19", []),
    ]
    entries = [(e.code, e.main_term, e.path) for e in index_term_entries(rows)]
    assert entries == [
        ("C22.9", "Neoplasm, neoplastic", "liver malignant primary"),
        ("C78.7", "Neoplasm, neoplastic", "liver malignant secondary metastatic metastasis"),
        ("T45.515", "Warfarin", "adverse effect"),
        ("T51.0X1", "Alcohol", "ethyl poisoning accidental unintentional"),
        ("W19", "Fall, falling (accidental)", ""),
    ]
