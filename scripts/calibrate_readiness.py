"""Check the readiness model against simulated learners of known ability.

    .venv/bin/python scripts/calibrate_readiness.py                 # 300 learners, 4 checkpoints
    .venv/bin/python scripts/calibrate_readiness.py --learners 60 --seed 7

Prints the Brier score of P(pass) for the model and for the naive "average of all past
scores", the mean absolute error of the predicted score, the coverage of the model's 90%
credible interval, and a reliability table for each. Exit status 1 if the model does not
beat the baseline. Pure Python: no database, no Django settings needed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certification.blueprint_data import CPC_WEIGHTS  # noqa: E402
from certification.readiness import ModelParams  # noqa: E402
from certification.readiness.simulate import MethodReport, simulate  # noqa: E402


def _table(report: MethodReport) -> str:
    lines = [f"  {'predicted P(pass)':<18} {'n':>5} {'mean predicted':>15} {'observed pass rate':>19}"]
    for b in report.reliability:
        if b.count:
            lines.append(f"  {b.low:.1f}-{b.high:.1f}{'':<11} {b.count:>5} {b.mean_predicted:>15.3f} {b.observed_rate:>19.3f}")
        else:
            lines.append(f"  {b.low:.1f}-{b.high:.1f}{'':<11} {0:>5} {'-':>15} {'-':>19}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--half-life", type=float, default=ModelParams().half_life_days)
    args = parser.parse_args(argv)

    started = time.monotonic()
    checkpoints = tuple(c for c in (30, 60, 90, 120) if c <= args.days) or (args.days,)
    report = simulate(
        weights=CPC_WEIGHTS, learners=args.learners, days=args.days, checkpoints=checkpoints, seed=args.seed,
        params=ModelParams(half_life_days=args.half_life),
    )
    print(f"Simulated {args.learners} learners over {args.days} days (seed {args.seed}); "
          f"{report.predictions} predictions at days {', '.join(map(str, checkpoints))}; pass rate {report.pass_rate:.1%}")
    print(f"CPC blueprint: 100 questions, pass mark 70%. Half-life {args.half_life:g} days.\n")
    print(f"{'method':<26} {'Brier (lower is better)':>24} {'score MAE':>10}")
    for method in (report.model, report.baseline):
        print(f"{method.name:<26} {method.brier:>24.4f} {method.score_mae:>10.4f}")
    print(f"\nModel 90% credible interval covers the true expected score {report.interval_coverage:.1%} of the time.")
    for method in (report.model, report.baseline):
        print(f"\nReliability: {method.name}")
        print(_table(method))
    beats = report.model.brier < report.baseline.brier
    skill = 1 - report.model.brier / report.baseline.brier if report.baseline.brier else 0.0
    print(f"\nModel beats the baseline: {'yes' if beats else 'NO'} (Brier skill score vs baseline {skill:+.1%}); "
          f"{time.monotonic() - started:.1f} s")
    return 0 if beats else 1


if __name__ == "__main__":
    sys.exit(main())
