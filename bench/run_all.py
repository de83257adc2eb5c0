"""Run every benchmark in bench/ and print its figures.

    make bench                          # SQLite (embedded default)
    DATABASE_URL=postgres://... make bench
    EXAM_DAY_STUDENTS=200 make bench    # the exam-day load at 200 students instead of 1,000

Each benchmark is a standalone script; this runner only sequences them so one
command reproduces every figure quoted for the platform.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from _machine import wait_until_quiet  # bench/ is this script's first path entry

BENCH_DIR = Path(__file__).resolve().parent

SKIP = {"run_all.py", "grading_worker.py"}  # the runner itself; the worker that grading_pipeline.py starts


def main() -> int:
    scripts = sorted(p for p in BENCH_DIR.glob("*.py") if p.name not in SKIP and not p.name.startswith("_"))
    failures = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        wait_until_quiet()
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], cwd=BENCH_DIR.parent)
        print(f"--- {script.name}: exit {result.returncode} in {time.monotonic() - started:.1f} s", flush=True)
        if result.returncode != 0:
            failures.append(script.name)
    if failures:
        print(f"\nFailed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
