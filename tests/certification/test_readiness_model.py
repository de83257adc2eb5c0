"""The pure readiness model: honest intervals, recency, predictions, calibration against simulation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from certification.blueprint_data import CPC_WEIGHTS
from certification.readiness import ModelParams, Observation, estimate_student, naive_average, predict_exam
from certification.readiness.beta import beta_cdf, beta_quantile
from certification.readiness.items import item_analysis
from certification.readiness.simulate import quotas, simulate

REPO = Path(__file__).resolve().parents[2]


def obs(domain: str, scores: list[float], age: float = 0.0) -> list[Observation]:
    return [Observation(domain=domain, score=s, age_days=age) for s in scores]


def test_beta_quantile_inverts_the_cdf():
    # Skewed, U-shaped and very concentrated shapes, and tail probabilities: Newton must not escape.
    for a, b in ((2, 3), (0.5, 0.5), (30, 5), (0.3, 40), (1000, 2), (1, 1), (200, 200), (1.4, 0.7), (0.1, 1500),
                 (1480, 212), (5000, 300)):
        for p in (0.001, 0.05, 0.5, 0.95, 0.999):
            x = beta_quantile(p, a, b)
            assert 0.0 <= x <= 1.0
            assert beta_cdf(x, a, b) == pytest.approx(p, abs=1e-9)
    assert beta_quantile(0.0, 2, 3) == 0.0 and beta_quantile(1.0, 2, 3) == 1.0
    assert beta_cdf(0.5, 1, 1) == pytest.approx(0.5)


def test_thin_evidence_gives_a_wide_interval_and_lots_of_evidence_a_narrow_one():
    thin = estimate_student(obs("em", [1, 1]), domains=["em"]).domains["em"]
    thick = estimate_student(obs("em", [1, 1, 0, 1] * 50), domains=["em"]).domains["em"]
    assert thin.upper - thin.lower > 0.3
    assert thick.upper - thick.lower < 0.15
    assert thick.mastery == pytest.approx(0.75, abs=0.03)
    # Two right answers do not make a master: shrunk toward the prior.
    assert thin.mastery < 0.85


def test_a_domain_without_evidence_borrows_the_students_overall_level():
    strong = obs("em", [1] * 51 + [0] * 9) + obs("icd10cm", [1] * 51 + [0] * 9)  # 85%
    weak = obs("em", [1] * 18 + [0] * 42) + obs("icd10cm", [1] * 18 + [0] * 42)  # 30%
    a = estimate_student(strong, domains=["radiology"]).domains["radiology"]
    b = estimate_student(weak, domains=["radiology"]).domains["radiology"]
    assert a.mastery > 0.75 > 0.45 > b.mastery
    assert a.evidence_count == 0 and a.upper - a.lower > 0.25


def test_recent_work_counts_more_than_old_work():
    improving = obs("em", [0] * 40, age=90) + obs("em", [1] * 40, age=1)
    estimate = estimate_student(improving, domains=["em"]).domains["em"]
    assert estimate.mastery > 0.85
    naive = naive_average(improving, question_count=100, pass_mark=0.7)
    assert naive.predicted_score == pytest.approx(0.5)


def test_old_evidence_fades_back_into_uncertainty():
    fresh = estimate_student(obs("em", [1, 0, 1, 1] * 10, age=0), domains=["em"]).domains["em"]
    stale = estimate_student(obs("em", [1, 0, 1, 1] * 10, age=120), domains=["em"]).domains["em"]
    assert (stale.upper - stale.lower) > (fresh.upper - fresh.lower)


def test_predicted_score_is_blueprint_weighted_and_pass_probability_follows_it():
    evidence = obs("em", [1] * 200) + obs("icd10cm", [0, 1] * 100)
    estimate = estimate_student(evidence, domains=["em", "icd10cm"])
    heavy_em = predict_exam(estimate, {"em": 9, "icd10cm": 1}, question_count=100, pass_mark=0.7)
    heavy_icd = predict_exam(estimate, {"em": 1, "icd10cm": 9}, question_count=100, pass_mark=0.7)
    assert heavy_em.predicted_score > heavy_icd.predicted_score
    assert heavy_em.pass_probability > 0.9 > 0.2 > heavy_icd.pass_probability
    assert heavy_em.lower <= heavy_em.predicted_score <= heavy_em.upper


def test_no_evidence_is_an_honest_coin_flip_not_a_verdict():
    estimate = estimate_student([], domains=list(CPC_WEIGHTS))
    prediction = predict_exam(estimate, CPC_WEIGHTS, question_count=100, pass_mark=0.7)
    assert prediction.coverage == pytest.approx(0.0)
    assert 0.05 < prediction.pass_probability < 0.6
    assert prediction.upper - prediction.lower > 0.2


def test_quotas_sum_to_the_total():
    assert sum(quotas(CPC_WEIGHTS, 100).values()) == 100
    assert quotas({"a": 1, "b": 1, "c": 1}, 4) in ({"a": 2, "b": 1, "c": 1}, {"a": 1, "b": 2, "c": 1}, {"a": 1, "b": 1, "c": 2})


def test_the_model_beats_the_naive_average_on_simulated_learners():
    report = simulate(weights=CPC_WEIGHTS, learners=60, checkpoints=(45, 90), days=90, seed=5)
    assert report.model.brier < report.baseline.brier
    assert report.model.score_mae < report.baseline.score_mae
    assert 0.75 <= report.interval_coverage <= 1.0
    assert sum(b.count for b in report.model.reliability) == report.predictions


def test_the_calibration_script_runs_and_says_the_model_wins():
    result = subprocess.run(
        [sys.executable, "scripts/calibrate_readiness.py", "--learners", "50", "--days", "60", "--seed", "3"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Brier" in result.stdout and "Reliability: readiness model" in result.stdout
    assert "Model beats the baseline: yes" in result.stdout


def test_item_analysis_from_running_sums():
    # Strong students (rest 0.9) get the item right, weak ones (rest 0.3) get it wrong: high discrimination.
    rows = [(1, 0.9)] * 12 + [(0, 0.3)] * 12
    sums = dict(
        n=len(rows), n_correct=sum(x for x, _ in rows), sum_rest=sum(r for _, r in rows),
        sum_rest_sq=sum(r * r for _, r in rows), sum_correct_rest=sum(x * r for x, r in rows),
    )
    analysis = item_analysis(**sums)
    assert analysis.p_value == pytest.approx(0.5)
    assert analysis.discrimination == pytest.approx(1.0)
    assert analysis.flag == ""
    easy = item_analysis(n=20, n_correct=19, sum_rest=10, sum_rest_sq=6, sum_correct_rest=9.5)
    assert easy.flag == "too easy"
    assert item_analysis(n=3, n_correct=1, sum_rest=1, sum_rest_sq=1, sum_correct_rest=0.5).flag == "few responses"
    assert item_analysis(n=0, n_correct=0, sum_rest=0, sum_rest_sq=0, sum_correct_rest=0).p_value is None


def test_the_model_has_no_django_dependency():
    code = "import sys; import certification.readiness, certification.readiness.simulate, certification.svg; " \
           "print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_default_params_are_the_documented_ones():
    params = ModelParams()
    assert params.half_life_days == 10 and params.credible_level == 0.9
