"""Validate the readiness model on this database's full-length practice exams.

    .venv/bin/python scripts/readiness_validation.py            # fit, validate, print (stores nothing)
    .venv/bin/python scripts/readiness_validation.py --store    # and make it the fit refreshes use
    DATABASE_URL=postgres://... .venv/bin/python scripts/readiness_validation.py

Every scored practice exam of at least 40 questions is predicted from the evidence its student had
recorded before it started, by a population fitted on the other half of the students (so neither
the student's own later work nor their outcome leaks in). The model is compared with the base rate
and a logistic fit of the average score so far, both fitted on the other half too. The same table
is on the operations page (/exams/operations/) after each hourly fit.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")


def _coverage_reading(row: dict) -> str:
    """95% Clopper-Pearson interval for the segment's recalibrated range coverage, and the exact binomial chance of a
    count this far from 90% if the range were right (rows stored before the count existed use the rounded share)."""
    from certification.readiness.validation import RANGE_LEVEL, binomial_p_value, clopper_pearson

    n = row["n"]
    inside = row.get("inside_recalibrated") or round(row["coverage_recalibrated"] * n)
    lower, upper = clopper_pearson(inside, n)
    return f"{100 * lower:3.0f}-{100 * upper:3.0f}% {binomial_p_value(inside, n, RANGE_LEVEL):8.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", action="store_true", help="save the fit: refreshes use it from now on")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from certification.services.readiness import readiness_fit

    from django.db.utils import OperationalError, ProgrammingError

    try:
        fit = readiness_fit(store=args.store)
    except (OperationalError, ProgrammingError) as error:
        print(f"This database has no readiness tables yet ({error}): run `manage.py migrate` first.", file=sys.stderr)
        return 2
    population = fit.population
    print(f"Fitted on {fit.responses} first answers from {fit.students} students in {fit.seconds:.1f} s"
          f"{' (stored)' if args.store else ' (not stored)'}.")
    forgetting = population.get("forgetting_days")
    fading = f"{forgetting:.0f} days" if forgetting else "no measurable time"
    print(f"Drift {population['drift_per_day']:g} logits²/day; gains fade over {fading}; "
          f"level sd {population['student_sd']:.2f}, domain sd {population['domain_sd']:.2f}.")
    for name, (slope, used, note, *_rest) in population["channels"].items():
        print(f"  {name:<10} {'used' if used else 'left out':<9} slope {slope:.2f}  {note}")
    validation = fit.validation
    if not validation.get("rows"):
        print(validation.get("note", "No full-length practice exam to validate on."))
        return 0
    print(f"\n{validation['outcomes']} practice exams from {validation['students']} students; pass rate "
          f"{validation['pass_rate']:.0%}.")
    avoidance = (validation.get("recalibrated") or {}).get("avoidance")
    chosen = " (chosen from these outcomes)." if avoidance is not None else \
        " (the default: too few outcomes with unpractised domains)."
    print(f"Unpractised domains: weight on 'avoided because weak' {population.get('avoidance', 0.6):.1f}{chosen}")
    print(f"Carrying ability between item difficulties: sd {population.get('extrapolation_sd', 0.25):.2f} logits per "
          f"logit ({population.get('fitted', {}).get('extrapolation_pairs', 0)} student-domains with exam answers "
          f"of clearly different difficulty; the default 0.25 below 20).")
    recalibrated = validation.get("recalibrated") or {}
    for group, fitted in (recalibrated.get("probability") or {}).items():
        average = f", on the logit of the average score {fitted[2]:.2f}" if len(fitted) > 2 else ""
        print(f"P(pass) recalibration, {group} evidence: slope {fitted[0]:.2f}, intercept {fitted[1]:.2f}{average}")
    for part, (offset, factor) in (recalibrated.get("score") or {}).items():
        print(f"Score range correction, {part}: {100 * offset:+.1f} points, width x{factor:.2f}")
    print(f"{'segment':<34} {'n':>5} {'Brier':>6} {'recal.':>6} {'logistic':>8} {'base':>6} {'LL':>6} {'AUC':>5} "
          f"{'slope':>6} {'range':>6} {'recal.':>6} {'95% CI':>9} {'p vs 90%':>8}")
    for row in validation["rows"]:
        label = "all" if row["family"] == "all" else f"{row['family']}: {row['label']}"
        auc = f"{row['auc_model']:.2f}" if row["auc_model"] is not None else "-"
        slope = f"{row['calibration_slope']:.2f}" if row["calibration_slope"] is not None else "-"
        print(f"{label:<34} {row['n']:>5} {row['brier_model']:>6.3f} {row['brier_recalibrated']:>6.3f} "
              f"{row['brier_logistic']:>8.3f} {row['brier_base_rate']:>6.3f} {row['log_loss_model']:>6.3f} {auc:>5} "
              f"{slope:>6} {row['coverage']:>6.2f} {row['coverage_recalibrated']:>6.2f} {_coverage_reading(row)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
