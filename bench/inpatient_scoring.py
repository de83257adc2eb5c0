"""Grading inpatient submissions in process, as the scoring task does, with the MS-DRG review.

Run on a database loaded with the demo (make demo, or VAR_DIR=... manage.py load_demo):
    .venv/bin/python bench/inpatient_scoring.py [--n 500] [--slug nstemi-admission]

Times exercises.scoring.grade_lines (key from the cache, code facts, the engine, then the DRG review: two claims
grouped plus one regrouping per difference) on varied answers, against the same call on the case as if it were
outpatient (no DRG review). No writes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")

import django  # noqa: E402

django.setup()

from exercises.models import Case  # noqa: E402
from exercises.scoring import grade_lines  # noqa: E402

SECONDARIES = ["I2510", "I10", "E785", "F17210", "E871", "N179", "I5023", "Z87891", "E1165"]


def answers(n: int, seed: int = 5) -> list[list[dict]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lines = [{"role": "principal", "system": "icd10cm", "code": rng.choice(["I214", "I214", "I2510"]), "poa": "Y"}]
        for code in rng.sample(SECONDARIES, rng.randint(2, 6)):
            lines.append({"role": "secondary", "system": "icd10cm", "code": code, "poa": rng.choice("YYN")})
        if rng.random() < 0.7:
            lines.append({"role": "procedure", "system": "icd10pcs", "code": rng.choice(["027034Z", "02703DZ"])})
        out.append(lines)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--slug", default="nstemi-admission")
    args = parser.parse_args()
    case = Case.objects.select_related("icd10cm_release").get(slug=args.slug)
    key_id = case.current_key_id
    batch = answers(args.n)
    for lines in batch[:50]:
        grade_lines(case=case, key_id=key_id, lines=lines, query_provider=False)
    for label, setting in (("inpatient (with DRG review)", "inpatient"), ("same case graded as outpatient", "outpatient")):
        case.setting = setting
        started = time.perf_counter()
        for lines in batch:
            grade_lines(case=case, key_id=key_id, lines=lines, query_provider=False)
        elapsed = time.perf_counter() - started
        print(f"{label}: {len(batch)} submissions in {elapsed:.2f} s = {len(batch) / elapsed:,.0f}/s, "
              f"{1000 * elapsed / len(batch):.2f} ms each")


if __name__ == "__main__":
    main()
