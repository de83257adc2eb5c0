"""How many typical submissions (10 key lines, 10 answer lines) the pure grading engine scores per second.

Run: .venv/bin/python bench/grading_engine.py [--seconds 3]
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
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    key = compile_key(KEY)
    policy = Policy()
    demographics = Demographics(age=64, sex="M")
    batch = submissions(2000)
    for answer in batch[:200]:  # warm up
        grade(key, answer, policy=policy, oracle=ORACLE, demographics=demographics)
    done = 0
    total = 0.0
    started = time.perf_counter()
    cpu_started = time.process_time()
    while time.perf_counter() - started < args.seconds:
        for answer in batch:
            total += grade(key, answer, policy=policy, oracle=ORACLE, demographics=demographics).score
        done += len(batch)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    # CPU time is what one core spent; on a busy shared machine wall time also counts other processes.
    rate = done / cpu
    print(f"grading engine: {done} submissions in {cpu:.2f} s of CPU ({elapsed:.2f} s wall) = {rate:,.0f} "
          f"submissions/s on one core (wall-clock rate {done / elapsed:,.0f}/s); 10 key lines x 10 answer lines, "
          f"mean score {total / done:.1f}")
    print("target >= 20,000/s:", "OK" if rate >= 20000 else "BELOW TARGET")


if __name__ == "__main__":
    main()
