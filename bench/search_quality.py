"""Search quality on the full ICD-10-CM FY2026 (in process, no database): top-1 / top-5 per kind of query.

    .venv/bin/python bench/search_quality.py            # figures
    .venv/bin/python bench/search_quality.py --misses   # also every query whose expected code is not first
    .venv/bin/python bench/search_quality.py --index-files icd10cm_index_2026.xml icd10cm_drug_2026.xml ...
                                                        # with Alphabetic Index files, as after an import

Builds the ranking index from the Tabular bundled with simple_icd_10_cm (the same release the
slow tests use) and runs every line of bench/data/search_quality.tsv. HCPCS lines are searched
against the demo HCPCS set (codesets/data/hcpcs_demo_2026q1.csv), as bench/search_bench.py does
through HTTP.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codesets.parsers.icd10cm_xml import parse_icd10cm_xml  # noqa: E402
from lookup.search import CodeEntry, build_index, load_synonyms, record_entries, search  # noqa: E402
from lookup.search.absurd import absurd_hit  # noqa: E402

QUALITY = ROOT / "bench" / "data" / "search_quality.tsv"
HCPCS_DEMO = ROOT / "codesets" / "data" / "hcpcs_demo_2026q1.csv"


def demo_hcpcs_index():
    with HCPCS_DEMO.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    entries = [CodeEntry(code=row["HCPC"], display_code=row["HCPC"], title=row["LONG DESCRIPTION"], billable=True,
                         sort_order=position) for position, row in enumerate(rows)]
    return build_index(entries, system="hcpcs", synonyms=load_synonyms())


def index_file_terms(paths: list[str]):
    """The search entries of CMS Alphabetic Index files (any of the four), as an import would store them."""
    from lookup.alphaindex import parse_index_file
    from lookup.search.index_terms import index_term_entries

    rows = []
    for path in paths:
        parsed = parse_index_file(path, file_name=Path(path).name)
        print(f"{Path(path).name}: {parsed.table}, {len(parsed.entries):,} terms")
        rows += [(parsed.table, e.level, e.title, e.nemod, " > ".join(e.path), e.code, e.cells) for e in parsed.entries]
    rows.sort(key=lambda row: ("index", "eindex", "neoplasm", "drug").index(row[0]))  # stable: book order kept
    return list(index_term_entries(rows))


def full_icd10cm_index(index_terms=()):
    package_dir = Path(importlib.util.find_spec("simple_icd_10_cm").submodule_search_locations[0])
    parsed = parse_icd10cm_xml(package_dir / "data" / "icd10c-tabular-April-1-2026.xml")
    entries = record_entries(parsed.records)
    return build_index(entries, system="icd10cm", synonyms=load_synonyms(), index_terms=index_terms)


def quality_rows(path: Path = QUALITY) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, query, expected = line.split("\t")
            rows.append((kind.strip(), query, expected.strip()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--index-files", nargs="*", default=[], metavar="XML",
                        help="CMS Alphabetic Index files (index, eindex, neoplasm, drug) whose terms feed the ranking")
    args = parser.parse_args()
    started = time.perf_counter()
    index = full_icd10cm_index(index_file_terms(args.index_files) if args.index_files else ())
    hcpcs = demo_hcpcs_index()
    print(f"index built in {time.perf_counter() - started:.1f} s")
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses, absurd = [], []
    for kind, query, expected in quality_rows():
        codes = [hit.code for hit in search(hcpcs if kind == "hcpcs" else index, query, limit=5)]
        counts = per_kind[kind]
        counts[0] += 1
        counts[1] += bool(codes) and codes[0] == expected
        counts[2] += expected in codes
        if not codes or codes[0] != expected:
            misses.append((kind, query, expected, codes))
        bad = [code for code in codes[:3] if absurd_hit(query, code, "hcpcs" if kind == "hcpcs" else "icd10cm")]
        if bad:
            absurd.append((query, bad))
    total = [sum(c[i] for c in per_kind.values()) for i in range(3)]
    print(f"{'kind':<14}{'queries':>8}{'top-1':>9}{'top-5':>9}")
    for kind, (n, top1, top5) in sorted(per_kind.items()):
        print(f"{kind:<14}{n:>8}{100 * top1 / n:>8.1f}%{100 * top5 / n:>8.1f}%")
    print(f"{'all':<14}{total[0]:>8}{100 * total[1] / total[0]:>8.1f}%{100 * total[2] / total[0]:>8.1f}%")
    print(f"absurd results in a top 3: {len(absurd)}")
    for query, bad in absurd:
        print(f"  ABSURD {query!r}: {bad}")
    if args.misses:
        for kind, query, expected, codes in misses:
            print(f"  {'MISS5' if expected not in codes else 'miss1'} [{kind}] {query!r} want {expected} got {codes}")


if __name__ == "__main__":
    main()
