"""Simulated learners of known ability, to check the readiness model is calibrated.

Each learner has a true per-domain probability of answering correctly that improves over
time (log-odds: base ability + domain difficulty + personal domain offset + growth). They
practise at their own pace, in domains of their choosing; at checkpoints we ask the model
(and the naive "average of all past scores") for P(pass) and then let the learner sit a
simulated exam drawn by the blueprint's domain quotas. Brier score and a reliability table
compare the predictions with what happened.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import ModelParams, Observation, estimate_student, naive_average, predict_exam


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True)
class MethodReport:
    name: str
    brier: float
    score_mae: float
    reliability: list[ReliabilityBin]


@dataclass(frozen=True)
class CalibrationReport:
    predictions: int
    pass_rate: float
    model: MethodReport
    baseline: MethodReport
    interval_coverage: float  # share of true expected scores inside the model's credible interval


def quotas(weights: Mapping[str, float], total: int) -> dict[str, int]:
    """Largest-remainder apportionment of ``total`` questions to domains by weight."""
    weight_sum = sum(weights.values())
    raw = {d: total * w / weight_sum for d, w in weights.items()}
    result = {d: int(math.floor(v)) for d, v in raw.items()}
    remaining = total - sum(result.values())
    for d in sorted(raw, key=lambda d: (raw[d] - result[d], d), reverse=True)[:remaining]:
        result[d] += 1
    return result


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _reliability(pairs: Sequence[tuple[float, int]], bins: int = 10) -> list[ReliabilityBin]:
    table = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        members = [(p, o) for p, o in pairs if low <= p < high or (i == bins - 1 and p == 1.0)]
        if members:
            mean_p = sum(p for p, _ in members) / len(members)
            rate = sum(o for _, o in members) / len(members)
        else:
            mean_p = rate = 0.0
        table.append(ReliabilityBin(low, high, len(members), mean_p, rate))
    return table


def _report(name: str, rows: Sequence[tuple[float, float, float, int]]) -> MethodReport:
    # rows: (probability, predicted score, true expected score, passed)
    brier = sum((p - o) ** 2 for p, _, _, o in rows) / len(rows)
    mae = sum(abs(s - t) for _, s, t, _ in rows) / len(rows)
    return MethodReport(name, brier, mae, _reliability([(p, o) for p, _, _, o in rows]))


def simulate(
    *,
    weights: Mapping[str, float],
    learners: int = 300,
    days: int = 120,
    checkpoints: Sequence[int] = (30, 60, 90, 120),
    question_count: int = 100,
    pass_mark: float = 0.7,
    seed: int = 2026,
    params: ModelParams = ModelParams(),
) -> CalibrationReport:
    rng = random.Random(seed)
    domains = sorted(weights)
    difficulty = {d: rng.gauss(0.0, 0.45) for d in domains}
    plan = quotas(weights, question_count)

    people = []
    for _ in range(learners):
        base = rng.gauss(0.2, 0.8)
        growth = rng.uniform(0.0, 2.2)  # log-odds gained over the whole period
        offsets = {d: rng.gauss(0.0, 0.45) for d in domains}
        rate = rng.uniform(0.15, 0.9)  # study sessions per day
        favourites = rng.sample(domains, k=max(1, len(domains) // 3))
        focus = rng.uniform(0.0, 0.8)  # share of sessions spent on favourite domains

        def ability(domain: str, day: float, base=base, growth=growth, offsets=offsets) -> float:
            return _expit(base + difficulty[domain] + offsets[domain] + growth * day / days)

        history: list[tuple[float, str, float]] = []
        for day in range(days):
            sessions = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(sessions):
                domain = rng.choice(favourites) if rng.random() < focus else rng.choices(domains, weights=[weights[d] for d in domains])[0]
                moment = day + rng.random()
                p = ability(domain, moment)
                for _ in range(rng.randint(4, 12)):
                    history.append((moment, domain, 1.0 if rng.random() < p else 0.0))
        people.append((ability, history))

    model_rows: list[tuple[float, float, float, int]] = []
    baseline_rows: list[tuple[float, float, float, int]] = []
    covered = 0
    for checkpoint in checkpoints:
        # Population prior from everyone's evidence so far (what the platform would know).
        sums: dict[str, list[float]] = {d: [0.0, 0.0] for d in domains}
        for _, history in people:
            for moment, domain, score in history:
                if moment < checkpoint:
                    sums[domain][0] += score
                    sums[domain][1] += 1
        population = {d: s / n for d, (s, n) in sums.items() if n}
        all_n = sum(n for _, n in sums.values())
        population_mean = sum(s for s, _ in sums.values()) / all_n if all_n else 0.6

        for ability, history in people:
            observations = [
                Observation(domain=d, score=s, age_days=checkpoint - m) for m, d, s in history if m < checkpoint
            ]
            if not observations:
                continue
            truth = {d: ability(d, checkpoint) for d in domains}
            total_w = sum(weights.values())
            expected = sum(weights[d] / total_w * truth[d] for d in domains)
            correct = sum(sum(1 for _ in range(q) if rng.random() < truth[d]) for d, q in plan.items())
            passed = 1 if correct / question_count >= pass_mark else 0

            estimate = estimate_student(
                observations, population=population, population_mean=population_mean, domains=domains, params=params,
                with_intervals=False,
            )
            prediction = predict_exam(estimate, weights, question_count=question_count, pass_mark=pass_mark, params=params)
            naive = naive_average(observations, question_count=question_count, pass_mark=pass_mark)
            model_rows.append((prediction.pass_probability, prediction.predicted_score, expected, passed))
            baseline_rows.append((naive.pass_probability, naive.predicted_score, expected, passed))
            covered += 1 if prediction.lower <= expected <= prediction.upper else 0

    return CalibrationReport(
        predictions=len(model_rows),
        pass_rate=sum(r[3] for r in model_rows) / len(model_rows),
        model=_report("readiness model", model_rows),
        baseline=_report("average of past scores", baseline_rows),
        interval_coverage=covered / len(model_rows),
    )
