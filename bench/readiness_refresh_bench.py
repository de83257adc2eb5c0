"""CPU time of one student's readiness refresh, by the number of answers: all at once against incremental.

    .venv/bin/python bench/readiness_refresh_bench.py                 # 200, 500, 1,000, 2,000, 5,000 answers
    .venv/bin/python bench/readiness_refresh_bench.py --answers 1000 --runs 200

Pure Python (no database): a population with 19 domains of 60 exam questions, 40 quiz questions
and 10 chart cases each, a student who answers in sessions of eight (exam, quiz and case answers,
some repeats), and the model's whole refresh: the estimate, the mastery of every domain and three
credentials' forecasts (CPC, CCS, CCA weights). "all at once" reads every answer (what a refresh
costs without a kept state, and after each population refit); "incremental" folds the last
session's eight answers into the kept state (``absorb``) and estimates from it. Target: < 2 ms CPU.
The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certification.blueprint_data import BUILTIN_BLUEPRINTS  # noqa: E402
from certification.readiness import Population, Response, domain_mastery, predict_exam  # noqa: E402
from certification.readiness.ability import absorb, estimate_from_state, student_state  # noqa: E402
from certification.readiness.population import pool_summary  # noqa: E402

BLUEPRINTS = {bp["name"] if "name" in bp else str(i): {d: float(w) for d, w in bp["weights"].items()}
              for i, bp in enumerate(BUILTIN_BLUEPRINTS)}


def population(rng: random.Random, domains: list[str]) -> Population:
    items = {}
    pools = {}
    for d in domains:
        exam = [(rng.gauss(0, 1), 0.25) for _ in range(60)]
        pools[d] = pool_summary(exam)
        for k, (b, c) in enumerate(exam):
            items[f"exam:{d}:{k}"] = (b, c)
        for k in range(40):
            items[f"quiz:{d}:{k}"] = (rng.gauss(-0.5, 1), 0.25)
        for k in range(10):
            items[f"case:{d}:{k}"] = (rng.gauss(0.3, 0.6), 0.0)
    return Population(items=items, pools=pools, domain_mean={d: 0.3 for d in domains})


def answers(rng: random.Random, domains: list[str], count: int, *, days: float = 120.0) -> list[Response]:
    """``count`` answers in sessions of eight spread over ``days``, ages counted back from day ``days``."""
    result = []
    sessions = max(1, count // 8)
    for s in range(sessions):
        day = days * s / sessions
        domain = rng.choice(domains)
        channel = rng.choice(("exam", "quiz", "quiz", "case"))
        pool = {"exam": 60, "quiz": 40, "case": 10}[channel]
        for k in range(8):
            item = f"{channel}:{domain}:{rng.randrange(pool)}"
            result.append(Response(domain, channel, item, float(rng.random() < 0.7), days - day - k / 1000))
    return result[:count]


def refresh(state, population: Population, domains: list[str], at: float):
    estimate = estimate_from_state(state, population, at=at)
    for d in domains:
        domain_mastery(estimate, population, d)
    for weights in BLUEPRINTS.values():
        predict_exam(estimate, population, weights, question_count=100, pass_mark=0.7)
    return estimate


def measure(count: int, runs: int, seed: int = 1) -> tuple[float, float, float]:
    rng = random.Random(seed)
    domains = sorted({d for weights in BLUEPRINTS.values() for d in weights})
    pop = population(rng, domains)
    history = answers(rng, domains, count)
    full, step = [], []
    for _ in range(max(5, runs // 10)):
        started = time.process_time()
        state = absorb(student_state(pop), history, pop, at=120.0)
        refresh(state, pop, domains, 120.0)
        full.append((time.process_time() - started) * 1000)
    state = absorb(student_state(pop), history, pop, at=120.0)
    at = 120.0
    for _ in range(runs):
        at += 0.5  # a new session half a day later
        batch = answers(rng, domains, 8, days=0.01)
        started = time.process_time()
        absorb(state, batch, pop, at=at)
        refresh(state, pop, domains, at)
        step.append((time.process_time() - started) * 1000)
    step.sort()
    return statistics.median(full), statistics.median(step), step[int(0.95 * (len(step) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", default="200,500,1000,2000,5000")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f}; CPU ms per refresh (estimate, every domain's mastery, each built-in credential)")
    print(f"{'answers':>8} {'all at once':>12} {'incremental':>12} {'p95':>8}")
    worst = 0.0
    for count in (int(c) for c in args.answers.split(",")):
        full, step, p95 = measure(count, args.runs)
        worst = max(worst, step)
        print(f"{count:>8} {full:>12.2f} {step:>12.2f} {p95:>8.2f}")
    print(f"target: incremental refresh < 2 ms CPU median -> {'met' if worst < 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
