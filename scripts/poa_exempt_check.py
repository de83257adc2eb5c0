"""Measure the POA exempt rules (exercises/grading/poa.py) over a whole ICD-10-CM order file.

    .venv/bin/python scripts/poa_exempt_check.py [icd10cm_order_2026.txt[.gz]] [POAexemptCodes2026.txt]

Counts the billable codes the rules mark exempt, by first letter, next to the size of the official CDC list
(FY2026: 38,349 codes; April 2023: 37,689). Given the official exempt file as well (tab separated: order,
code, title), it lists every difference both ways. Nothing here touches a database.
"""

from __future__ import annotations

import collections
import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exercises.grading.poa import is_exempt  # noqa: E402

DEFAULT_ORDER = ROOT.parent / "shared" / "reference" / "icd10cm-order-fy2026.txt.gz"
OFFICIAL_FY2026 = 38_349


def billable_codes(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="latin-1") as handle:
        return [line[6:13].strip() for line in handle if line[14:15] == "1"]


def official_exempt(path: Path) -> set[str]:
    codes = set()
    for line in path.read_text(encoding="latin-1").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1].strip() and parts[0].strip().isdigit():
            codes.add(parts[1].strip().replace(".", ""))
    return codes


def main(argv: list[str]) -> int:
    order = Path(argv[1]) if len(argv) > 1 else DEFAULT_ORDER
    if not order.exists():
        print(f"No order file at {order}: pass one (icd10cm_order_<FY>.txt, plain or .gz).")
        return 2
    codes = billable_codes(order)
    exempt = [code for code in codes if is_exempt(code)]
    by_letter = collections.Counter(code[0] for code in exempt)
    print(f"{order.name}: {len(codes):,} billable codes, {len(exempt):,} exempt by the rules "
          f"(official FY2026 list: {OFFICIAL_FY2026:,}; difference {len(exempt) - OFFICIAL_FY2026:+,}).")
    print("By first letter: " + ", ".join(f"{letter} {count:,}" for letter, count in sorted(by_letter.items())))
    if len(argv) > 2:
        official = official_exempt(Path(argv[2]))
        ours = set(exempt)
        only_ours = sorted(ours - official)
        only_official = sorted(official & set(codes) - ours)
        print(f"Official file: {len(official):,} codes. Exempt by the rules only: {len(only_ours):,}; "
              f"in the official list only: {len(only_official):,}.")
        for label, items in (("rules only", only_ours), ("official only", only_official)):
            for code in items[:200]:
                print(f"  {label}: {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
