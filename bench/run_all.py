"""Run every benchmark in bench/ and print its figures.

    make bench                          # SQLite (embedded default)
    DATABASE_URL=postgres://... make bench

Each benchmark is a standalone script; this runner only sequences them so one
command reproduces every figure quoted for the platform.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SKIP = {"run_all.py", "grading_worker.py"}  # the runner itself; the worker that grading_pipeline.py starts


QUIET_BUSY_SHARE = 0.15  # of all CPUs, over one second
QUIET_WAIT_SECONDS = 60


def _cpu_busy_share(seconds: float = 1.0) -> float | None:
    """Share of all CPUs busy over ``seconds`` (Linux /proc/stat); None elsewhere."""
    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
        return sum(values), idle

    try:
        total_before, idle_before = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    total = total_after - total_before
    return 1.0 - (idle_after - idle_before) / total if total else None


def wait_until_quiet() -> None:
    """Let the previous benchmark's processes (servers, workers, the database's clean-up) finish first.

    The CPUs of a small virtual machine are often two threads of one core: a busy neighbour process
    slows a CPU-bound benchmark by half even on "the other" CPU.
    """
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    busy = _cpu_busy_share()
    while busy is not None and busy > QUIET_BUSY_SHARE and time.monotonic() < deadline:
        busy = _cpu_busy_share()
    if busy is not None:
        print(f"(machine {busy:.0%} busy before this benchmark{'' if busy <= QUIET_BUSY_SHARE else ', still, after waiting'})")


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
