"""How many typical submissions (10 key lines, 10 answer lines) the pure grading engine scores per second.

Run: .venv/bin/python bench/grading_engine.py [--rounds 5] [--seconds 1]
One core, one process. The answer key is compiled once (as the scoring task does per key version);
each submission is normalised, checked against the code facts and graded from scratch.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _machine import wait_until_quiet  # noqa: E402  (bench/ is this script's first path entry)

from exercises.grading import (  # noqa: E402
    CPT,
    EM,
    PRINCIPAL,
    PROCEDURE,
    SECONDARY,
    AnswerLine,
    CodeFacts,
    Demographics,
    KeyLine,
    Policy,
    compile_key,
    grade,
)

KEY = [
    KeyLine("I21.4", PRINCIPAL, rationale="NSTEMI documented", guideline="I.C.9.e.1"),
    KeyLine("E11.65", SECONDARY), KeyLine("I10", SECONDARY), KeyLine("E78.5", SECONDARY),
    KeyLine("Z79.4", SECONDARY), KeyLine("N18.30", SECONDARY), KeyLine("F17.210", SECONDARY, optional=True),
    KeyLine("99223", EM, CPT, modifiers=("25",)), KeyLine("93458", PROCEDURE, CPT, modifiers=("26",)),
    KeyLine("93306", PROCEDURE, CPT, modifiers=("26",)),
]
CODES = ["I214", "E1165", "I10", "E785", "Z794", "N1830", "F17210", "E119", "E1122", "N189", "I252", "I10",
         "I130", "E6601", "Z6841", "R079", "I2510"]
FACTS = {c: CodeFacts(title=c) for c in CODES}
FACTS["E119"] = CodeFacts(excludes1=("E10", "E13"))
FACTS["E1165"] = CodeFacts(excludes1=("E10", "E13", "O244"))
FACTS["I10"] = CodeFacts(excludes1=("O10-O16",))
FACTS["I130"] = CodeFacts(excludes1=("I10",))
ORACLE = {"icd10cm": FACTS}


def submissions(count: int, seed: int = 7) -> list[list[AnswerLine]]:
    """Realistic mixes: mostly right, some near misses, an extra or two, shuffled secondaries."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        lines = [
            AnswerLine("I21.4" if rng.random() < 0.8 else "I21.9", PRINCIPAL),
            AnswerLine(rng.choice(["E11.65", "E11.65", "E11.9", "E11.22"]), SECONDARY),
            AnswerLine(rng.choice(["I10", "I10", "I13.0"]), SECONDARY),
            AnswerLine("E78.5", SECONDARY),
            AnswerLine("z79.4", SECONDARY),
            AnswerLine(rng.choice(["N18.30", "N18.9"]), SECONDARY),
            AnswerLine(rng.choice(["F17.210", "I25.10", "R07.9"]), SECONDARY),
            AnswerLine("99223", EM, CPT, modifiers=rng.choice([("25",), ()])),
            AnswerLine("93458", PROCEDURE, CPT, modifiers=("26",), units=rng.choice([1, 1, 2])),
            AnswerLine("93306", PROCEDURE, CPT, modifiers=rng.choice([("26",), ("TC",)])),
        ]
        head, tail = lines[:1], lines[1:]
        rng.shuffle(tail)
        out.append(head + tail)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds to run; the median is the figure (a shared machine has noisy neighbours)")
    args = parser.parse_args()
    key = compile_key(KEY)
    policy = Policy()
    demographics = Demographics(age=64, sex="M")
    batch = submissions(2000)
    for answer in batch[:200]:  # warm up
        grade(key, answer, policy=policy, oracle=ORACLE, demographics=demographics)
    wait_until_quiet("the rounds")
    rates = []
    done_all = 0
    total = 0.0
    for _ in range(args.rounds):
        done = 0
        started = time.perf_counter()
        cpu_started = time.process_time()
        while time.perf_counter() - started < args.seconds:
            for answer in batch:
                total += grade(key, answer, policy=policy, oracle=ORACLE, demographics=demographics).score
            done += len(batch)
        # CPU time is what one core spent; on a busy shared machine wall time also counts other processes.
        rates.append(done / (time.process_time() - cpu_started))
        done_all += done
    rates.sort()
    median = rates[len(rates) // 2]
    print(f"grading engine: {done_all} submissions in {args.rounds} rounds of {args.seconds:g} s; one core: median "
          f"{median:,.0f} submissions/s (slowest round {rates[0]:,.0f}, fastest {rates[-1]:,.0f}); "
          f"10 key lines x 10 answer lines, mean score {total / done_all:.1f}")
    print("target >= 20,000/s (median):", "OK" if median >= 20000 else "BELOW TARGET")


if __name__ == "__main__":
    main()
