"""What the benchmarks share about the machine they run on."""

from __future__ import annotations

import os
import time
from pathlib import Path

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


def wait_until_quiet(what: str = "this benchmark") -> None:
    """Let the previous benchmark's processes (servers, workers, the database's clean-up) finish first.

    The CPUs of a small virtual machine are often two threads of one core: a busy neighbour process
    slows a CPU-bound benchmark by half even on "the other" CPU.
    """
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    busy = _cpu_busy_share()
    while busy is not None and busy > QUIET_BUSY_SHARE and time.monotonic() < deadline:
        busy = _cpu_busy_share()
    if busy is not None:
        print(f"(machine {busy:.0%} busy before {what}{'' if busy <= QUIET_BUSY_SHARE else ', still, after waiting'})", flush=True)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of one live process (Linux /proc); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def database_backends(name: str) -> list[int]:
    """PostgreSQL backends serving one database (their command line names it), read from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if command.startswith(b"postgres: ") and f" {name} ".encode() in command:
                pids.append(int(entry.name))
    return pids
