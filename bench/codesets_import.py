"""Benchmark: full ICD-10-CM import and release diff, on SQLite and (with DATABASE_URL) PostgreSQL.

    .venv/bin/python bench/codesets_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/codesets_import.py

Each database run starts from an empty database (a temporary SQLite file; a
scratch PostgreSQL database ``<name>_codesets_bench`` on the DATABASE_URL's
server, dropped afterwards), imports FY2025 (from simple-icd-10-cm 1.4.0,
fetched with pip) and then the bundled FY2026 (import + diff), then times the
diff alone. Targets: import <= 20 s, diff <= 5 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "cache" / "simple-icd-10-cm"
IMPORT_TARGET_S = 20.0
DIFF_TARGET_S = 5.0


def child(fy2025_xml: str) -> None:
    """Runs inside a fresh process pointed at an empty database; prints one JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from codesets.bundled import ICD10CM_EFFECTIVE, bundled_icd10cm_path
    from codesets.services import imports as import_service
    from codesets.services import release_diff_compute, release_import

    call_command("migrate", verbosity=0)
    import datetime

    # Other apps react to release_ready (flagging content, refreshing search data) right after
    # commit; time them apart so the loader's own figure stays visible.
    receivers = {"s": 0.0}
    send = import_service._send_release_ready

    def timed_send(release_id: int) -> None:
        started = time.perf_counter()
        send(release_id)
        receivers["s"] += time.perf_counter() - started

    import_service._send_release_ready = timed_send

    started = time.perf_counter()
    fy2025 = release_import(system="icd10cm", path=fy2025_xml, label="FY2025", effective_from=datetime.date(2024, 10, 1)).release
    import_2025 = time.perf_counter() - started - receivers["s"]
    receivers_2025, receivers["s"] = receivers["s"], 0.0
    started = time.perf_counter()
    fy2026 = release_import(system="icd10cm", path=bundled_icd10cm_path(), label="FY2026", effective_from=ICD10CM_EFFECTIVE).release
    import_2026 = time.perf_counter() - started - receivers["s"]
    started = time.perf_counter()
    counts = release_diff_compute(release=fy2026)
    diff_alone = time.perf_counter() - started
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "import_fy2025_s": round(import_2025, 2),
                "import_fy2026_with_diff_s": round(import_2026, 2),
                "diff_s": round(diff_alone, 2),
                "receivers_fy2025_s": round(receivers_2025, 2),
                "receivers_fy2026_s": round(receivers["s"], 2),
                "billable_fy2025": fy2025.billable_count,
                "billable_fy2026": fy2026.billable_count,
                "rows_fy2026": fy2026.billable_count + fy2026.header_count,
                "diff": counts,
            }
        )
    )


def run(env: dict, fy2025_xml: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(fy2025_xml)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres_scratch(url: str) -> tuple[str, callable]:
    import psycopg2

    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "postgres") + "_codesets_bench"
    admin_url = urlunparse(parsed._replace(path="/postgres"))

    def execute(sql: str) -> None:
        connection = psycopg2.connect(admin_url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
        connection.close()

    execute(f'DROP DATABASE IF EXISTS "{name}"')
    execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path="/" + name)), lambda: execute(f'DROP DATABASE IF EXISTS "{name}"')


def report(figures: dict) -> None:
    ok_import = figures["import_fy2026_with_diff_s"] <= IMPORT_TARGET_S and figures["import_fy2025_s"] <= IMPORT_TARGET_S
    ok_diff = figures["diff_s"] <= DIFF_TARGET_S
    print(f"{figures['vendor']:>10}: import FY2025 {figures['import_fy2025_s']:5.2f} s, "
          f"import FY2026 (incl. diff) {figures['import_fy2026_with_diff_s']:5.2f} s "
          f"[{'ok' if ok_import else 'SLOW'} <= {IMPORT_TARGET_S:.0f} s], "
          f"diff alone {figures['diff_s']:4.2f} s [{'ok' if ok_diff else 'SLOW'} <= {DIFF_TARGET_S:.0f} s]")
    print(f"{'':>10}  release_ready receivers of other apps after commit (not in the figures above): "
          f"{figures['receivers_fy2025_s']:.2f} s / {figures['receivers_fy2026_s']:.2f} s")
    print(f"{'':>10}  {figures['rows_fy2026']:,} rows; billable FY2025 {figures['billable_fy2025']:,}, FY2026 {figures['billable_fy2026']:,}; "
          f"diff {figures['diff']}")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from codesets.bundled import download_tabular_xml

    print(f"CPUs: {os.cpu_count()}  Python {sys.version.split()[0]}")
    fy2025_xml = download_tabular_xml("1.4.0", CACHE)
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VAR_DIR")}
    base_env["CELERY_TASK_ALWAYS_EAGER"] = "true"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run({**base_env, "VAR_DIR": tmp}, fy2025_xml))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        scratch_url, drop = postgres_scratch(url)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                results.append(run({**base_env, "VAR_DIR": tmp, "DATABASE_URL": scratch_url}, fy2025_xml))
        finally:
            drop()
    else:
        print("(set DATABASE_URL=postgres://... to measure PostgreSQL too)")
    for figures in results:
        report(figures)
    slow = any(f["import_fy2026_with_diff_s"] > IMPORT_TARGET_S or f["diff_s"] > DIFF_TARGET_S for f in results)
    return 1 if slow else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        sys.exit(main())
