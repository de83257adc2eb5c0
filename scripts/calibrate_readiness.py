"""Check the readiness model against simulated learners from several generating processes.

    .venv/bin/python scripts/calibrate_readiness.py                        # every process, 200 learners each
    .venv/bin/python scripts/calibrate_readiness.py --learners 60 --processes model,easy-only
    .venv/bin/python scripts/calibrate_readiness.py --segments             # and a row per segment

Each process (certification/readiness/simulate.py) builds its own world and learners; at each
checkpoint the population is fitted from everyone's evidence so far, every learner gets a forecast,
then sits a new form of a 100-question CPC exam. Every forecast is compared with two baselines fitted
on the other half of the learners: the base rate, and a logistic fit of the learner's average score
so far. "recal." is the model after Platt recalibration (and the score range after an offset and
width correction) fitted on the other half's outcomes, as the product does once practice exams
accumulate. Targets: Brier no worse than the base rate on every process and segment (segments of
at least 30 forecasts), overall at least as good as logistic(avg), and 90% score ranges holding
85-95% of scores in every such segment. Exit status 1 when a target is missed. Pure Python.

Each segment's range coverage also comes with a statistical reading: how many scores its recalibrated
range held, a 95% Clopper-Pearson interval for the coverage, and the exact two-sided binomial
probability of a count at least this far from 90% if the range were right. With 30-45 forecasts a
coverage of 84% (p about 0.2) is within chance; 76% of 33 (p about 0.01) is not.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certification.blueprint_data import CPC_WEIGHTS  # noqa: E402
from certification.readiness.simulate import PROCESSES, run_process  # noqa: E402
from certification.readiness.validation import SegmentReport, report  # noqa: E402

MIN_SEGMENT = 30


def _row(label: str, r: SegmentReport) -> str:
    ability = f"{r.ability_coverage:6.2f}" if r.ability_coverage is not None else "     -"
    slope = f"{r.calibration_slope:5.2f}" if r.calibration_slope is not None else "    -"
    auc = f"{r.auc_model:4.2f}" if r.auc_model is not None else "   -"
    flags = []
    if r.n >= MIN_SEGMENT:
        if r.brier_model > r.brier_base_rate:
            flags.append("raw>base")
        if r.brier_recalibrated > r.brier_base_rate:
            flags.append("recal>base")
        if not 0.85 <= r.coverage_recalibrated <= 0.95:
            flags.append("range")
    return (f"  {label:<28} {r.n:>5} {r.pass_rate:>5.2f} {r.brier_model:>6.3f} {r.brier_recalibrated:>6.3f} "
            f"{r.brier_logistic:>9.3f} {r.brier_base_rate:>6.3f} {r.log_loss_model:>6.3f} {r.log_loss_logistic:>6.3f} "
            f"{r.log_loss_base_rate:>6.3f} {auc:>5} {slope:>6} {r.coverage:>5.2f} {r.coverage_recalibrated:>5.2f} "
            f"{ability} {r.enough_evidence:>5.2f} {_coverage_reading(r)}  {' '.join(flags)}")


def _coverage_reading(r: SegmentReport) -> str:
    """How many scores the recalibrated range held, the 95% interval for its true coverage, and the chance of a
    count this far from 90% if the range were right: tells a systematic miss from chance at small n."""
    lower, upper = r.coverage_interval
    return f"{r.inside_recalibrated:>4}/{r.n:<4} {100 * lower:3.0f}-{100 * upper:3.0f}% p={r.coverage_p_value:5.3f}"


HEADER = (f"  {'segment':<28} {'n':>5} {'pass':>5} {'Brier':>6} {'recal.':>6} {'logistic(avg)':>9} {'base rate':>6} "
          f"{'LL':>6} {'LL lg':>6} {'LL br':>6} {'AUC':>5} {'slope':>6} {'Coverage':>5} {'recal.':>5} {'abil.':>6} "
          f"{'shown':>5} {'in range / n, 95% CI, p vs 90%':>28}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--processes", default=",".join(PROCESSES), help="comma-separated: " + ", ".join(PROCESSES))
    parser.add_argument("--segments", action="store_true", help="print every segment, not only the overall row")
    args = parser.parse_args(argv)

    names = [n.strip() for n in args.processes.split(",") if n.strip()]
    unknown = [n for n in names if n not in PROCESSES]
    if unknown:
        parser.error(f"unknown process {', '.join(unknown)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.learners} learners per process, seed {args.seed}; CPC blueprint, 100 questions, pass mark 70%. "
          f"Load average {load:.1f} at start.")
    print("Brier and log loss (LL): lower is better. Coverage: share of scores inside the 90% range (raw, recal.); "
          "abil.: the ability interval holds the true expected score; shown: share with enough evidence for a "
          "probability.\n")
    failures: list[str] = []
    started = time.monotonic()
    for name in names:
        process = PROCESSES[name]
        t0 = time.monotonic()
        result = run_process(process, weights=CPC_WEIGHTS, learners=args.learners, seed=args.seed)
        rows = report(result.outcomes)
        print(f"{name}: {process.description} ({len(result.outcomes)} forecasts at days "
              f"{', '.join(map(str, process.checkpoints))}; {time.monotonic() - t0:.0f} s)")
        for fit in result.fits:
            links = ", ".join(f"{k} {v[0]:.2f}{'' if v[1] else ' (left out)'}{f' gap sd {v[2]:.2f}' if v[2] else ''}"
                              for k, v in fit["links"].items())
            forgetting = f"{fit['forgetting_days']:.0f} d" if fit["forgetting_days"] else "none"
            print(f"  fit at day {fit['checkpoint']}: drift {fit['drift_per_day']:g}/day, fading {forgetting}, "
                  f"level sd {fit['student_sd']:.2f}, domain sd {fit['domain_sd']:.2f}, "
                  f"extrapolation sd {fit['extrapolation_sd']:.2f}/logit; links: {links}")
        print(HEADER)
        for r in rows:
            if r.family == "all" or args.segments:
                print(_row("all" if r.family == "all" else f"{r.family}: {r.label}", r))
        overall = rows[0]
        checked = [r for r in rows if r.n >= MIN_SEGMENT]
        if overall.brier_recalibrated > overall.brier_logistic:
            failures.append(f"{name}: overall Brier {overall.brier_recalibrated:.3f} worse than logistic(avg) "
                            f"{overall.brier_logistic:.3f}")
        for r in checked:
            label = "overall" if r.family == "all" else f"{r.family}: {r.label}"
            if r.brier_recalibrated > r.brier_base_rate:
                failures.append(f"{name} / {label}: Brier {r.brier_recalibrated:.3f} worse than base rate "
                                f"{r.brier_base_rate:.3f}")
            if not 0.85 <= r.coverage_recalibrated <= 0.95:
                lower, upper = r.coverage_interval
                failures.append(f"{name} / {label}: 90% range holds {r.coverage_recalibrated:.0%} (target 85-95%; "
                                f"{r.inside_recalibrated} of {r.n}, 95% interval {lower:.0%}-{upper:.0%}, "
                                f"p = {r.coverage_p_value:.3f} of a count this far from 90% if the range were right)")
        print()
    print(f"Targets checked on the recalibrated model, segments of at least {MIN_SEGMENT} forecasts "
          f"({time.monotonic() - started:.0f} s in all):")
    if failures:
        for failure in failures:
            print(f"  MISSED {failure}")
        return 1
    print("  all met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
