"""Code-set file parsers: plain Python, no Django. One entry point per system.

Every parser returns a :class:`ParsedCodeSet` (records in tabular order) or
raises :class:`CodeSetFormatError` with a message meant for the admin.
"""

from __future__ import annotations

from pathlib import Path

from .cpt import parse_cpt
from .hcpcs import parse_hcpcs, parse_hcpcs_csv, parse_hcpcs_fixed_width
from .icd10cm_order import apply_order_file, parse_icd10cm_order, parse_order_lines
from .icd10cm_xml import parse_icd10cm_xml
from .icd10pcs import apply_pcs_order, parse_pcs_order, parse_pcs_tables, supplement_pcs_codes
from .records import CodeRecord, CodeSetFormatError, ParsedCodeSet, validate_records

SYSTEMS = ("icd10cm", "hcpcs", "cpt", "icd10pcs")

__all__ = [
    "CodeRecord",
    "CodeSetFormatError",
    "ParsedCodeSet",
    "SYSTEMS",
    "parse_codeset",
    "parse_cpt",
    "parse_hcpcs",
    "parse_hcpcs_csv",
    "parse_hcpcs_fixed_width",
    "parse_icd10cm_order",
    "parse_icd10cm_xml",
    "parse_pcs_order",
    "parse_pcs_tables",
]


def _is_xml(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def parse_codeset(system: str, path: str | Path, *, order_path: str | Path | None = None,
                  supplement_path: str | Path | None = None) -> ParsedCodeSet:
    """Parse and validate one release's files. Raises CodeSetFormatError on any problem.

    ``supplement_path`` (ICD-10-PCS only, for a partial demo set): an order file whose codes from tables the
    tables file lacks are added without tables."""
    path = Path(path)
    if supplement_path and system != "icd10pcs":
        raise CodeSetFormatError("Only an ICD-10-PCS release takes a supplementary code list.")
    if system == "icd10cm":
        if _is_xml(path):
            parsed = parse_icd10cm_xml(path)
            if order_path:
                parsed = apply_order_file(parsed, parse_order_lines(Path(order_path)))
        else:
            if order_path:
                raise CodeSetFormatError("Give the Tabular XML as the main file when you also give an order file.")
            parsed = parse_icd10cm_order(path)
    elif system == "icd10pcs":
        if _is_xml(path):
            parsed = parse_pcs_tables(path)
            if order_path:
                parsed = apply_pcs_order(parsed, Path(order_path))
        else:
            if order_path:
                raise CodeSetFormatError("Give the tables XML as the main file when you also give an order file.")
            parsed = parse_pcs_order(path)
        if supplement_path:
            parsed = supplement_pcs_codes(parsed, Path(supplement_path))
    elif system == "hcpcs":
        if _is_xml(path):
            raise CodeSetFormatError("HCPCS files are fixed-width text or CSV, not XML.")
        parsed = parse_hcpcs(path)
    elif system == "cpt":
        if _is_xml(path):
            raise CodeSetFormatError("CPT files are CSV or tab-separated text, not XML.")
        parsed = parse_cpt(path)
    else:
        raise CodeSetFormatError(f"Unknown code system {system!r}; expected one of {', '.join(SYSTEMS)}.")
    validate_records(parsed)
    return parsed
