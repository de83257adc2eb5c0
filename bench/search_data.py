"""Full ICD-10-CM data for the search benchmark, and the index memory figures.

    .venv/bin/python bench/search_data.py      # index build time, memory, snapshot size and load time

The catalog importer in ``codesets`` is the product's way to load a release;
when it is available (``codesets.demo``) the benchmark uses it. Until then this
module reads the FY2026 tabular XML bundled with the ``simple_icd_10_cm``
package itself: chapters, blocks, categories, codes, instructional notes, and
7th-character extensions expanded from each ``sevenChrDef``.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_LABEL = "FY2026"


def tabular_path() -> Path:
    # Located without importing the package, which would load its own copy of the whole code set.
    package_dir = Path(importlib.util.find_spec("simple_icd_10_cm").submodule_search_locations[0])
    return package_dir / "data" / "icd10c-tabular-April-1-2026.xml"


def tabular_entries() -> list:
    """The bundled FY2026 tabular as search-index entries, parsed by the product's own importer parser."""
    from codesets.parsers.icd10cm_xml import parse_icd10cm_xml
    from lookup.search import record_entries

    return record_entries(parse_icd10cm_xml(tabular_path()).records)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")
    import django

    django.setup()


def load_bench_release():
    """The current ICD-10-CM release (plus whatever HCPCS the demo ships), importing if missing (idempotent)."""
    from codesets.models import CodeSetRelease

    try:
        from codesets import demo  # the product's demo code sets: ICD-10-CM FY2026, HCPCS and CPT samples

        demo.load(stdout=sys.stdout)
    except ImportError:
        from codesets.services.imports import release_import

        if not CodeSetRelease.objects.current().filter(system="icd10cm").exists():
            release_import(system="icd10cm", path=tabular_path(), label=BENCH_LABEL,
                           effective_from=datetime.date(2025, 10, 1), activate=True)
    release = CodeSetRelease.objects.current().get(system="icd10cm")
    if release.codes.count() < 90_000:
        raise SystemExit(f"{release} has only {release.codes.count()} rows: not the full ICD-10-CM")
    return release


def synthetic_hcpcs_entries(count: int = 8000):
    """HCPCS-sized filler for the memory figure only: no HCPCS file ships with any installed package."""
    from lookup.search import CodeEntry

    words = ["supply", "injection", "wheelchair", "catheter", "orthosis", "prosthetic", "dressing", "infusion",
             "oxygen", "transport", "lens", "hearing", "aid", "pump", "glucose", "monitor", "per", "unit", "each"]
    for number in range(count):
        letter = "ABCEGHJKLQV"[number % 11]
        code = f"{letter}{number:04d}"
        title = " ".join(words[(number * k) % len(words)] for k in (1, 3, 7, 11, 13)) + f" type {number % 97}"
        yield CodeEntry(code=code, display_code=code, title=title, billable=True)


def main() -> int:
    import gc
    import shutil

    from lookup.search import build_index, load_synonyms
    from lookup.search.snapshot import dump_index, load_index

    setup_django()
    synonyms = load_synonyms()
    started = time.perf_counter()
    entries = tabular_entries()
    parsed = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    icd = build_index(entries, system="icd10cm", synonyms=synonyms)
    built = time.perf_counter() - started
    gc.collect()
    icd_bytes, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    hcpcs = build_index(synthetic_hcpcs_entries(), system="hcpcs", synonyms=synonyms)
    gc.collect()
    both_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    directory = Path(tempfile.mkdtemp(prefix="search-index-"))
    try:
        size = dump_index(icd, directory / "icd10cm.bin")
        del icd, hcpcs
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        mapped, _ = load_index(directory / "icd10cm.bin")
        loaded = time.perf_counter() - started
        mapped_bytes, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"tabular XML parsed: {len(entries)} entries in {parsed:.1f} s")
    print(f"ICD-10-CM index: {mapped.doc_count} documents of {mapped.row_count} rows, {len(mapped.vocabulary)} words, "
          f"built in {built:.1f} s (tracemalloc on: slower than usual)")
    print(f"ICD-10-CM index memory (tracemalloc): {icd_bytes / 2**20:.1f} MiB retained; "
          f"peak while building {peak / 2**20:.1f} MiB (the parsed entries, already in memory, not counted)")
    print(f"+ synthetic HCPCS-sized index (8000 rows): {both_bytes / 2**20:.1f} MiB retained in total")
    print(f"snapshot: {size / 2**20:.1f} MiB on disk, mapped in {loaded * 1000:.1f} ms; Python objects of the mapped "
          f"index {mapped_bytes / 2**20:.1f} MiB (the rest are shared file pages)")
    print("limit: 150 MiB per process for the retained index ->", "OK" if both_bytes < 150 * 2**20 else "OVER")
    return 0


if __name__ == "__main__":
    sys.exit(main())
