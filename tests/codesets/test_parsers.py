"""The pure parsers, on small files in the official formats."""

from __future__ import annotations

import io

import pytest

from codesets.parsers import (
    CodeSetFormatError,
    parse_codeset,
    parse_cpt,
    parse_hcpcs,
    parse_icd10cm_order,
    parse_icd10cm_xml,
)
from codesets.parsers.icd10cm_xml import seventh_character_exclusions

from .conftest import fixture_path


def by_code(parsed):
    return {record.code: record for record in parsed.records}


class TestTabularXml:
    def test_it_counts_billable_codes_including_expanded_seventh_characters(self):
        parsed = parse_icd10cm_xml(fixture_path("tabular_fy2025.xml"))
        assert parsed.billable_count == 16
        assert parsed.header_count == 20

    def test_it_stores_chapters_blocks_and_categories_as_headers_with_parents(self):
        codes = by_code(parse_icd10cm_xml(fixture_path("tabular_fy2025.xml")))
        assert (codes["4"].kind, codes["4"].parent_code, codes["4"].depth) == ("chapter", "", 0)
        assert (codes["E08-E13"].kind, codes["E08-E13"].parent_code, codes["E08-E13"].chapter) == ("block", "4", "4")
        assert codes["E08-E13"].long_title == "Diabetes mellitus"
        assert (codes["E11"].kind, codes["E11"].parent_code, codes["E11"].depth) == ("category", "E08-E13", 2)
        assert (codes["E113"].parent_code, codes["E113"].billable, codes["E113"].display_code) == ("E11", False, "E11.3")
        assert codes["E119"].billable and codes["E119"].chapter == "4"

    def test_a_single_category_block_does_not_collide_with_its_category(self):
        codes = by_code(parse_icd10cm_xml(fixture_path("tabular_fy2025.xml")))
        assert codes["B10-B10"].kind == "block"
        assert codes["B10"].kind == "category"

    def test_seventh_characters_are_expanded_with_placeholder_x(self):
        codes = by_code(parse_icd10cm_xml(fixture_path("tabular_fy2025.xml")))
        assert {"S069XXA", "S069XXD", "S069XXS"} <= codes.keys()
        expanded = codes["S060X0A"]
        assert expanded.display_code == "S06.0X0A"
        assert expanded.long_title == "Concussion without loss of consciousness, initial encounter"
        assert (expanded.parent_code, expanded.billable) == ("S060X0", True)
        assert codes["S060X0"].billable is False

    def test_seventh_characters_without_padding_when_six_characters_long(self):
        codes = by_code(parse_icd10cm_xml(fixture_path("tabular_fy2025.xml")))
        assert codes["E113211"].long_title.endswith("with macular edema, right eye")
        assert "E11321X1" not in codes

    def test_the_s06_death_rule_allows_only_initial_encounter(self):
        codes = by_code(parse_icd10cm_xml(fixture_path("tabular_fy2025.xml")))
        assert "S060X7A" in codes
        assert "S060X7D" not in codes and "S060X7S" not in codes

    def test_the_exclusion_rule_is_read_from_the_note(self):
        note = (
            "7th characters D and S do not apply to codes in category S06 with 6th character 7 - death due to brain injury "
            "prior to regaining consciousness, or 8 - death due to other cause prior to regaining consciousness."
        )
        assert seventh_character_exclusions(note) == ({"7", "8"}, {"D", "S"})
        assert seventh_character_exclusions("The appropriate 7th character is to be added to each code") is None

    def test_instructional_notes_are_kept_by_kind(self):
        codes = by_code(parse_icd10cm_xml(fixture_path("tabular_fy2025.xml")))
        assert codes["1"].notes["includes"] == ["diseases generally recognized as communicable or transmissible"]
        assert codes["A00-A09"].notes["use_additional"] == ["code to identify resistance to antimicrobial drugs (Z16.-)"]
        assert codes["A000"].notes["inclusion_terms"] == ["Classical cholera"]
        assert codes["E11"].notes["excludes1"] == ["diabetes mellitus due to underlying condition (E08.-)"]
        assert codes["B10"].notes["excludes2"] == ["cytomegalovirus (B25.9)"]
        assert codes["S06"].notes["code_also"] == ["any associated open wound of head (S01.-)"]
        assert codes["S06"].notes["seven_chr"] == {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}
        assert codes["S06"].notes["seven_chr_note"][0].startswith("The appropriate 7th character")
        assert codes["E11321"].notes["seven_chr"]["9"] == "unspecified eye"
        assert "7th characters D and S" in codes["S06"].notes["notes"][0]

    def test_records_come_in_tabular_order(self):
        codes = [record.code for record in parse_icd10cm_xml(fixture_path("tabular_fy2025.xml")).records]
        assert codes[:6] == ["1", "A00-A09", "A00", "A000", "A009", "B10-B10"]
        assert codes.index("S060X0") < codes.index("S060X0A") < codes.index("S060X7")

    def test_a_truncated_file_is_refused_with_a_clear_message(self):
        data = fixture_path("tabular_fy2025.xml").read_bytes()
        with pytest.raises(CodeSetFormatError, match="not well-formed XML.*truncated"):
            parse_icd10cm_xml(io.BytesIO(data[: len(data) // 2]))

    @pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
    def test_dtds_and_entities_are_refused(self, name):
        with pytest.raises(CodeSetFormatError, match="DTD, entities or external references"):
            parse_icd10cm_xml(fixture_path(name))

    def test_a_dtd_without_entities_is_refused_too(self):
        xml = b'<?xml version="1.0"?><!DOCTYPE ICD10CM.tabular SYSTEM "http://example.org/x.dtd"><ICD10CM.tabular/>'
        with pytest.raises(CodeSetFormatError, match="DTD"):
            parse_icd10cm_xml(io.BytesIO(xml))

    def test_another_xml_format_is_refused(self):
        with pytest.raises(CodeSetFormatError, match="root element is <ICD10PCS.tabular>"):
            parse_icd10cm_xml(io.BytesIO(b"<ICD10PCS.tabular><version>2026</version></ICD10PCS.tabular>"))

    def test_an_invalid_code_is_refused(self):
        xml = (
            b"<ICD10CM.tabular><chapter><name>1</name><desc>C</desc><section id='A00-A09'><desc>S</desc>"
            b"<diag><name>1234</name><desc>Bad</desc></diag></section></chapter></ICD10CM.tabular>"
        )
        with pytest.raises(CodeSetFormatError, match="'1234' is not a valid ICD-10-CM code"):
            parse_icd10cm_xml(io.BytesIO(xml))


class TestOrderFile:
    def test_it_reads_the_fixed_width_layout(self):
        parsed = parse_icd10cm_order(fixture_path("order_fy2025.txt"))
        codes = by_code(parsed)
        assert codes["A000"].short_title == "Cholera d/t vib cholerae 01, biovar cholerae"
        assert codes["A000"].long_title == "Cholera due to Vibrio cholerae 01, biovar cholerae"
        assert codes["A000"].parent_code == "A00"
        assert codes["S060X0A"].display_code == "S06.0X0A" and codes["S060X0A"].parent_code == "S060X0"
        assert codes["E119"].billable is False

    def test_with_the_xml_its_billable_flags_and_short_titles_win(self):
        parsed = parse_codeset("icd10cm", fixture_path("tabular_fy2025.xml"), order_path=fixture_path("order_fy2025.txt"))
        codes = by_code(parsed)
        assert codes["E119"].billable is False  # header in the order file
        assert codes["A001"].billable is True and codes["A001"].parent_code == "A00" and codes["A001"].chapter == "1"
        assert codes["A000"].short_title == "Cholera d/t vib cholerae 01, biovar cholerae"
        assert codes["A000"].long_title == "Cholera due to Vibrio cholerae 01, biovar cholerae"
        assert codes["E11"].notes["excludes1"]  # the XML's notes stay
        assert parsed.billable_count == 16
        assert any("only in the order file" in warning for warning in parsed.warnings)

    def test_a_line_in_another_layout_is_refused(self):
        with pytest.raises(CodeSetFormatError, match="Line 1 does not follow the ICD-10-CM order-file layout"):
            parse_icd10cm_order(io.BytesIO(b"A00,Cholera,0\n"))

    def test_an_xml_file_given_as_order_file_is_refused(self):
        with pytest.raises(CodeSetFormatError, match="order-file layout"):
            parse_codeset("icd10cm", fixture_path("tabular_fy2025.xml"), order_path=fixture_path("tabular_fy2026.xml"))


class TestHcpcs:
    def test_fixed_width_records_with_continuation_lines(self):
        codes = by_code(parse_hcpcs(fixture_path("hcpcs_2026q1_fixed.txt")))
        assert codes["A0427"].long_title == "Ambulance service, advanced life support, emergency transport, level 1 (als 1 - emergency)"
        assert codes["A0427"].short_title == "Als1-emergency"
        assert codes["E0110"].long_title.endswith("adjustable or fixed, pair, complete with tips and handgrips")
        assert (codes["A0427"].parent_code, codes["A0427"].chapter, codes["A"].kind) == ("A", "A", "chapter")

    def test_cdt_dental_codes_are_never_loaded(self):
        assert "D0120" not in by_code(parse_hcpcs(fixture_path("hcpcs_2026q1_fixed.txt")))

    def test_modifiers_are_kept_but_not_billable(self):
        codes = by_code(parse_hcpcs(fixture_path("hcpcs_2026q1_fixed.txt")))
        assert codes["LT"].billable is False and codes["LT"].parent_code == "MOD" and codes["LT"].notes == {"modifier": True}

    def test_csv_export_with_header(self):
        parsed = parse_hcpcs(fixture_path("hcpcs_2026q2.csv"))
        codes = by_code(parsed)
        assert codes["A0427"].long_title.endswith("(als 1 - emergency)")
        assert codes["G0568"].billable
        assert parsed.billable_count == 5

    def test_a_short_fixed_width_line_is_refused(self):
        with pytest.raises(CodeSetFormatError, match="does not follow the HCPCS record layout|characters long"):
            parse_hcpcs(io.BytesIO(b"A0427 00100 3 Ambulance" + b" " * 100 + b"\n"), fmt="fixed")

    def test_a_csv_without_the_right_columns_is_refused(self):
        with pytest.raises(CodeSetFormatError, match="header must name the code column"):
            parse_hcpcs(io.BytesIO(b"foo,bar\n1,2\n"), fmt="csv")

    def test_a_spreadsheet_is_refused(self):
        with pytest.raises(CodeSetFormatError, match="ZIP archive or an Excel workbook"):
            parse_hcpcs(io.BytesIO(b"PK\x03\x04" + b"\x00" * 50))


class TestCpt:
    def test_tab_separated_with_header_and_sections(self):
        parsed = parse_cpt(fixture_path("cpt_licensed.tsv"))
        codes = by_code(parsed)
        assert codes["99213"].short_title == "Est pt visit low (test wording)"
        assert codes["99213"].long_title.startswith("Test wording for an established patient")
        assert codes["99213"].chapter == "EM"
        assert codes["10060"].chapter == "SURG"
        assert codes["0042T"].chapter == "CAT3" and codes["1036F"].chapter == "CAT2"
        assert parsed.billable_count == 5

    def test_csv_without_header(self):
        codes = by_code(parse_cpt(fixture_path("cpt_noheader.csv")))
        assert codes["70450"].chapter == "RAD"

    def test_a_row_that_is_not_a_cpt_code_is_refused(self):
        with pytest.raises(CodeSetFormatError, match="is not a CPT code"):
            parse_cpt(io.BytesIO(b"E11.9,Type 2 diabetes,Type 2 diabetes mellitus\n"))


def test_an_xml_file_for_hcpcs_is_refused():
    with pytest.raises(CodeSetFormatError, match="not XML"):
        parse_codeset("hcpcs", fixture_path("tabular_fy2025.xml"))


def test_an_unknown_system_is_refused():
    with pytest.raises(CodeSetFormatError, match="Unknown code system"):
        parse_codeset("snomed", fixture_path("tabular_fy2025.xml"))
