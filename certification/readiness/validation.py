"""Scoring forecasts against outcomes (pure): used by the calibration script and the in-product check.

Every forecast is compared with two baselines fitted on *other* students (cross-fitting, so a
baseline never sees the outcome it predicts): the base rate (everyone gets the pass rate) and a
logistic fit of the student's average score so far. Metrics: Brier score, log loss, AUC,
calibration slope (logistic regression of the outcome on logit P; 1 is ideal, below 1 means
over-confident) and the coverage of the 90% score interval, overall and per segment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .irt import logit, sigmoid

SEGMENT_FAMILIES = ("evidence", "easy items", "domain coverage", "since practice")


@dataclass(frozen=True)
class Outcome:
    """One forecast and what happened."""

    probability: float
    predicted_score: float
    lower: float  # 90% range of the sitting's score
    upper: float
    passed: bool
    score: float  # the score obtained
    average_score: float  # the student's average evidence score before the sitting (baseline input)
    segments: dict[str, str] = field(default_factory=dict)
    group: int = 0  # cross-fitting fold (0 or 1), e.g. student id parity
    true_score: float | None = None  # simulation only: the expected score the ability interval should cover
    ability_lower: float | None = None
    ability_upper: float | None = None
    enough_evidence: bool = True
    evidence_group: str = "enough"  # the recalibration group ("enough" or "thin")
    score_sd: float | None = None  # sd of the forecast score distribution (for recalibrating the range)
    # The same forecast under other weights of the sceptical prior for unpractised domains: (avoidance,
    # probability, predicted score, lower, upper, score sd), so outcomes can choose the weight.
    alternatives: tuple = ()
    # Signed sd (score units) of the forecast's extrapolation error from the difficulty of the evidence to the
    # exam's: one unknown shared by every forecast (ExamPrediction.extrapolation); part of ``score_sd``.
    extrapolation: float = 0.0


def segments_for(*, responses: int, easy_share: float, coverage: float, days_since: float | None) -> dict[str, str]:
    """The segment labels of one forecast (shared by the script and the product)."""
    return {
        "evidence": "<50 answers" if responses < 50 else "50-199 answers" if responses < 200 else "200+ answers",
        "easy items": "<25% easy" if easy_share < 0.25 else "25-49% easy" if easy_share < 0.5 else "50%+ easy",
        "domain coverage": "<60% of exam" if coverage < 0.6 else "60-89% of exam" if coverage < 0.9 else "90%+ of exam",
        "since practice": (
            "never" if days_since is None else "<7 days" if days_since < 7 else "7-29 days" if days_since < 30
            else "30+ days"
        ),
    }


def brier(probabilities: Sequence[float], outcomes: Sequence[int]) -> float:
    return sum((p - o) ** 2 for p, o in zip(probabilities, outcomes)) / len(outcomes)


def log_loss(probabilities: Sequence[float], outcomes: Sequence[int]) -> float:
    total = 0.0
    for p, o in zip(probabilities, outcomes):
        p = min(max(p, 1e-4), 1 - 1e-4)
        total -= math.log(p) if o else math.log(1 - p)
    return total / len(outcomes)


def auc(probabilities: Sequence[float], outcomes: Sequence[int]) -> float | None:
    """Probability that a random pass got a higher forecast than a random fail (ties count half)."""
    ranked = sorted(zip(probabilities, outcomes))
    positives = sum(outcomes)
    negatives = len(outcomes) - positives
    if not positives or not negatives:
        return None
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2  # 1-based ranks i+1..j
        rank_sum += average_rank * sum(o for _, o in ranked[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def fit_logistic(xs: Sequence[float], ys: Sequence[int], *, ridge: float = 1e-3,
                 toward: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """(intercept, slope) of P(y=1) = σ(intercept + slope·x): Newton-Raphson with step halving, and a ridge
    pulling the pair toward ``toward`` (tiny by default; Platt scaling pulls toward the identity, (0, 1))."""

    def objective(a: float, b: float) -> float:
        total = 0.0
        for x, y in zip(xs, ys):
            z = a + b * x
            # log σ(z) and log(1 - σ(z)) without overflow
            total += -math.log1p(math.exp(-z)) if z > 0 else z - math.log1p(math.exp(z))
            if not y:
                total -= z
        return total - ridge / 2 * ((a - toward[0]) ** 2 + (b - toward[1]) ** 2)

    a, b = toward
    current = objective(a, b)
    for _ in range(100):
        g0 = g1 = h00 = h01 = h11 = 0.0
        for x, y in zip(xs, ys):
            p = sigmoid(a + b * x)
            w = p * (1 - p)
            g0 += y - p
            g1 += (y - p) * x
            h00 += w
            h01 += w * x
            h11 += w * x * x
        g0 -= ridge * (a - toward[0])
        g1 -= ridge * (b - toward[1])
        h00 += ridge
        h11 += ridge
        det = h00 * h11 - h01 * h01
        if det <= 1e-12:
            break
        da = (h11 * g0 - h01 * g1) / det
        db = (h00 * g1 - h01 * g0) / det
        step = 1.0
        while step > 1e-6:
            trial = objective(a + step * da, b + step * db)
            if trial >= current - 1e-12:
                break
            step /= 2
        a += step * da
        b += step * db
        improved = objective(a, b)
        if abs(improved - current) < 1e-10 and abs(step * da) + abs(step * db) < 1e-7:
            break
        current = improved
    return a, b


def calibration_slope(probabilities: Sequence[float], outcomes: Sequence[int]) -> float | None:
    if len(set(outcomes)) < 2:
        return None
    return fit_logistic([logit(p) for p in probabilities], outcomes)[1]


AVOIDANCE_GRID = tuple(k / 10 for k in range(11))
AVOIDANCE_MINIMUM = 30  # outcomes of forecasts with unpractised domains before the sceptical prior's weight is chosen


def with_avoidance(outcome: Outcome, avoidance: float | None) -> Outcome:
    """The forecast as it would have been with this weight on "avoided because weak" (itself if not recorded)."""
    if avoidance is None:
        return outcome
    for value, probability, predicted, lower, upper, sd in outcome.alternatives:
        if abs(value - avoidance) < 1e-9:
            return replace(outcome, probability=probability, predicted_score=predicted, lower=lower, upper=upper,
                           score_sd=sd)
    return outcome


AVOIDANCE_SUPPORT = 1.92  # log-likelihood units: a 95% profile-likelihood interval for one parameter


def _weight_support(shown: Sequence[Outcome], *, outcomes: Sequence[Outcome]) -> float:
    """Gaussian log-likelihood of the scores obtained under these forecasts.

    Each forecast's variance includes its extrapolation error (``Outcome.extrapolation``: carrying ability
    from the difficulty of the evidence to the exam's), and that error is one unknown for the whole platform:
    every student measured on easy items is off in the same direction. So the scores are not independent
    given the forecasts: they share one standard normal factor β, score − forecast = β · extrapolation + own
    error. The likelihood integrates β out (a rank-one Gaussian), so a platform-wide misjudgement of how easy
    items carry to hard ones is not mistaken for evidence that students avoided their weak domains.
    """
    ll = 0.0
    a = b = 0.0
    for o, f in zip(outcomes, shown):
        sd = max(f.score_sd or 0.0, 1e-3)
        x = o.extrapolation
        own = max(sd * sd - x * x, 1e-6)
        r = o.score - f.predicted_score
        ll -= 0.5 * math.log(own) + 0.5 * r * r / own
        a += x * x / own
        b += r * x / own
    return ll + 0.5 * b * b / (1.0 + a) - 0.5 * math.log1p(a)


def avoidance_fit(outcomes: Sequence[Outcome], *, minimum: int = AVOIDANCE_MINIMUM) -> float | None:
    """The weight of the sceptical prior, chosen from the scores obtained (Gaussian log-likelihood, with the
    extrapolation error shared by every forecast integrated out: ``_weight_support``).

    Only forecasts whose alternatives differ (the student had unpractised domains) say anything about
    it; with fewer than ``minimum`` of them the prior's default stays. Of the weights the scores
    support (within a 95% likelihood interval of the best) the most sceptical is kept: the outcomes
    must show clearly that students did not avoid their weak domains before the forecast trusts them.
    """
    informative = [o for o in outcomes if len({round(a[2], 6) for a in o.alternatives}) > 1]
    if len(informative) < minimum:
        return None
    support = {value: _weight_support([with_avoidance(o, value) for o in informative], outcomes=informative)
               for value in AVOIDANCE_GRID}
    best = max(support.values())
    return max(value for value, ll in support.items() if ll >= best - AVOIDANCE_SUPPORT)


PLATT_MINIMUM = 60  # outcomes in a group before its pass probabilities are recalibrated
RANGE_MINIMUM = 20  # outcomes in a group before its score range is corrected (two numbers, not a curve)
GROUPS = ("enough", "thin")


AVERAGE_RIDGE = 0.01  # the average score's coefficient is nearly free: the baseline fits it with no pull at all


def average_logit(average_score: float) -> float:
    """The student's average score on the logit scale, bounded away from 0 and 1."""
    return logit(min(max(average_score, 0.01), 0.99))


def platt(probabilities: Sequence[float], outcomes: Sequence[int], *, minimum: int = PLATT_MINIMUM,
          averages: Sequence[float] | None = None) -> tuple[float, ...] | None:
    """Platt recalibration (slope, intercept) on logit P, once there are ``minimum`` outcomes, 10 of each kind.

    With ``averages`` (each student's average score so far) a third coefficient on its logit: the
    recalibration then contains the logistic(average score) baseline as well as the model, and outcomes
    decide how much of each to keep (slope, intercept, average slope).
    """
    if len(outcomes) < minimum or min(sum(outcomes), len(outcomes) - sum(outcomes)) < 10:
        return None
    if averages is None:
        intercept, slope = fit_logistic([logit(p) for p in probabilities], outcomes, ridge=2.0, toward=(0.0, 1.0))
        return slope, intercept
    rows = [(1.0, logit(p), average_logit(a)) for p, a in zip(probabilities, averages)]
    intercept, slope, average_slope = fit_logistic_rows(rows, outcomes, ridge=(2.0, 2.0, AVERAGE_RIDGE),
                                                        toward=(0.0, 1.0, 0.0))
    return slope, intercept, average_slope


def recalibrate(probability: float, platt: Sequence[float] | None, average_score: float | None = None) -> float:
    """P(pass) after Platt recalibration (unchanged without one; a three-part one needs the average score)."""
    if not platt:
        return probability
    slope, intercept = platt[0], platt[1]
    z = intercept + slope * logit(probability)
    if len(platt) > 2:
        if average_score is None:  # no answers at all: nothing to recalibrate with
            return probability
        z += platt[2] * average_logit(average_score)
    return min(max(sigmoid(z), 1e-4), 1.0 - 1e-4)


def fit_logistic_rows(rows: Sequence[Sequence[float]], ys: Sequence[int], *, ridge: Sequence[float],
                      toward: Sequence[float]) -> tuple[float, ...]:
    """Coefficients w of P(y=1) = σ(w·x) for rows x (include a 1 for an intercept): Newton-Raphson with step
    halving and a ridge pulling each coefficient toward ``toward``."""
    k = len(toward)

    def objective(w: Sequence[float]) -> float:
        total = 0.0
        for x, y in zip(rows, ys):
            z = sum(a * b for a, b in zip(w, x))
            total += (-math.log1p(math.exp(-z)) if z > 0 else z - math.log1p(math.exp(z))) - (0.0 if y else z)
        return total - sum(r / 2 * (a - t) ** 2 for r, a, t in zip(ridge, w, toward))

    w = list(toward)
    current = objective(w)
    for _ in range(100):
        gradient = [-r * (a - t) for r, a, t in zip(ridge, w, toward)]
        hessian = [[ridge[i] if i == j else 0.0 for j in range(k)] for i in range(k)]
        for x, y in zip(rows, ys):
            p = sigmoid(sum(a * b for a, b in zip(w, x)))
            for i in range(k):
                gradient[i] += (y - p) * x[i]
                for j in range(k):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        step_direction = _solve(hessian, gradient)
        if step_direction is None:
            break
        step = 1.0
        while step > 1e-6:
            trial = objective([a + step * d for a, d in zip(w, step_direction)])
            if trial >= current - 1e-12:
                break
            step /= 2
        w = [a + step * d for a, d in zip(w, step_direction)]
        improved = objective(w)
        if abs(improved - current) < 1e-10 and sum(abs(step * d) for d in step_direction) < 1e-7:
            break
        current = improved
    return tuple(w)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """x with matrix · x = vector (Gaussian elimination with partial pivoting); None if singular."""
    k = len(vector)
    augmented = [row[:] + [v] for row, v in zip(matrix, vector)]
    for col in range(k):
        pivot = max(range(col, k), key=lambda r: abs(augmented[r][col]))
        if abs(augmented[pivot][col]) < 1e-12:
            return None
        augmented[col], augmented[pivot] = augmented[pivot], augmented[col]
        for r in range(k):
            if r != col:
                factor = augmented[r][col] / augmented[col][col]
                for c in range(col, k + 1):
                    augmented[r][c] -= factor * augmented[col][c]
    return [augmented[i][k] / augmented[i][i] for i in range(k)]


def recalibration_from_outcomes(outcomes: Sequence[Outcome]) -> tuple[float | None, dict, dict]:
    """What outcomes correct, in order: the sceptical prior's weight (None: keep the default), then per
    evidence group the Platt scaling of P(pass) and the score range's offset and width."""
    avoidance = avoidance_fit(outcomes)
    chosen = [with_avoidance(o, avoidance) for o in outcomes]
    return avoidance, platt_by_group(chosen), score_recalibration_by_group(chosen)


def platt_by_group(outcomes: Sequence[Outcome], *, minimum: int = PLATT_MINIMUM) -> dict[str, tuple[float, ...]]:
    """Recalibration per evidence group ("enough" / "thin"), for groups with enough outcomes: (slope, intercept,
    slope on the logit of the student's average score)."""
    result = {}
    for group in GROUPS:
        members = [o for o in outcomes if o.evidence_group == group]
        fitted = platt([o.probability for o in members], [int(o.passed) for o in members], minimum=minimum,
                       averages=[o.average_score for o in members])
        if fitted:
            result[group] = fitted
    return result


RANGE_PRIOR = 30  # pseudo-outcomes at "no change" that a range correction is shrunk toward (a ridge, like Platt's)
SEGMENT_PRIOR = 120  # the same for a segment's correction on top of its evidence group's (segments overlap)
# A correction fitted on n outcomes is itself uncertain. A new forecast's range adds the variance of the fitted offset
# (1/n of the residual variance) and of the fitted width (at a 90% range a t quantile instead of a normal one, about
# (1 + z²)/2n ≈ 1.9/n in variance): about 2.9/n for a fit without shrinkage. A shrunk fit varies less; each part's
# variance grows by 2/(n + its pseudo-outcomes) (1 left the simulations' average coverage at 89.3%, 2 at 89.7%).
FITTED_CORRECTION_VARIANCE = 2.0
RANGE_SWEEPS = 6  # backfitting sweeps: segments overlap (few answers and thin coverage go together)


def segment_key(family: str, label: str) -> str:
    """How a segment's correction is named in ``Population.score_recalibration`` ("easy items: 50%+ easy")."""
    return f"{family}: {label}"


def score_correction(table: Mapping[str, tuple[float, float]], group: str,
                     segments: Mapping[str, str]) -> tuple[float, float] | None:
    """(offset, factor on the sd) for one forecast: its evidence group's correction, plus the correction of each
    segment it belongs to (offsets add, factors multiply). None when nothing applies."""
    found = [table[group]] if group in table else []
    found += [table[key] for key in (segment_key(family, label) for family, label in segments.items()) if key in table]
    if not found:
        return None
    return sum(offset for offset, _ in found), math.prod(factor for _, factor in found)


def score_recalibration_by_group(outcomes: Sequence[Outcome], *, minimum: int = RANGE_MINIMUM,
                                 prior: int = RANGE_PRIOR, segment_prior: int = SEGMENT_PRIOR,
                                 ) -> dict[str, tuple[float, float]]:
    """The score range's correction: (offset added to the forecast score, factor on its sd), per evidence
    group and per validation segment (evidence volume, share of easy items, domain coverage, time since
    practice), each from groups of at least ``minimum`` outcomes.

    A forecast gets its group's correction and, on top of it, each of its segments' (offsets add, factors
    multiply), fitted together by backfitting: each part is the mean residual (or root mean square
    standardised residual) left by the others. Every part is shrunk toward no change by pseudo-outcomes
    (``prior`` for a group, ``segment_prior`` for a segment): a part fitted on few outcomes stays close to
    its parent, so a small segment cannot be made much worse by noise, and a segment whose learners
    differ from the rest of their group (learners who answer mostly easy items, say) gets its own
    offset and width instead of inheriting the group's.
    """
    members = [o for o in outcomes if o.score_sd]
    parts: dict[str, list[int]] = {}
    strength: dict[str, int] = {}
    for i, o in enumerate(members):
        parts.setdefault(o.evidence_group, []).append(i)
        for family, label in o.segments.items():
            if family in SEGMENT_FAMILIES:
                parts.setdefault(segment_key(family, label), []).append(i)
    for key in list(parts):
        if len(parts[key]) < minimum:
            del parts[key]
        else:
            strength[key] = prior if key in GROUPS else segment_prior
    if not parts:
        return {}
    keys_of: list[list[str]] = [[] for _ in members]
    for key, idx in parts.items():
        for i in idx:
            keys_of[i].append(key)
    offset = dict.fromkeys(parts, 0.0)
    for _ in range(RANGE_SWEEPS):
        for key, idx in parts.items():
            left = sum(members[i].score - members[i].predicted_score
                       - sum(offset[k] for k in keys_of[i] if k != key) for i in idx)
            offset[key] = left / (len(idx) + strength[key])
    standardised = [(o.score - o.predicted_score - sum(offset[k] for k in keys_of[i])) / o.score_sd
                    for i, o in enumerate(members)]
    factor = dict.fromkeys(parts, 1.0)
    for _ in range(RANGE_SWEEPS):
        for key, idx in parts.items():
            squares = sum((standardised[i] / math.prod(factor[k] for k in keys_of[i] if k != key)) ** 2 for i in idx)
            factor[key] = math.sqrt((squares + strength[key]) / (len(idx) + strength[key]))
    # A prediction interval, not a plug-in one: each part's width carries the uncertainty of its own fit.
    return {
        key: (offset[key], factor[key] * math.sqrt(1.0 + FITTED_CORRECTION_VARIANCE / (len(idx) + strength[key])))
        for key, idx in parts.items()
    }


def ranges_cross_fitted(outcomes: Sequence[Outcome], level: float = 0.9) -> list[tuple[float, float]]:
    """Each forecast's score range after the other fold's offset and width correction."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + level / 2)

    def fit(train: list[Outcome]):
        avoidance = avoidance_fit(train)
        groups = score_recalibration_by_group([with_avoidance(o, avoidance) for o in train])

        def apply(o: Outcome) -> tuple[float, float]:
            o = with_avoidance(o, avoidance)
            found = score_correction(groups, o.evidence_group, o.segments)
            if not found or not o.score_sd:
                return o.lower, o.upper
            offset, factor = found
            centre = o.predicted_score + offset
            return centre - z * factor * o.score_sd, centre + z * factor * o.score_sd
        return apply
    return _cross_fitted(outcomes, fit)


def recalibrated_cross_fitted(outcomes: Sequence[Outcome]) -> list[float]:
    """Each forecast recalibrated as the product would from the other fold: the sceptical prior's weight
    chosen on that fold's scores, then Platt scaling per evidence group."""
    def fit(train: list[Outcome]):
        avoidance = avoidance_fit(train)
        groups = platt_by_group([with_avoidance(o, avoidance) for o in train])

        def apply(o: Outcome) -> float:
            o = with_avoidance(o, avoidance)
            return recalibrate(o.probability, groups.get(o.evidence_group), o.average_score)
        return apply
    return _cross_fitted(outcomes, fit)


def _cross_fitted(outcomes: Sequence[Outcome], fit: Callable[[list[Outcome]], Callable[[Outcome], float]]) -> list:
    """Each fold predicted by a rule fitted on the other fold (the whole set if one fold is empty)."""
    folds = {0: [o for o in outcomes if o.group % 2 == 0], 1: [o for o in outcomes if o.group % 2 == 1]}
    rules = {k: fit(folds[1 - k] or list(outcomes)) for k in folds}
    return [rules[o.group % 2](o) for o in outcomes]


def baseline_base_rate(outcomes: Sequence[Outcome]) -> list[float]:
    def fit(train: list[Outcome]):
        rate = (sum(o.passed for o in train) + 1) / (len(train) + 2)
        return lambda o: rate
    return _cross_fitted(outcomes, fit)


def baseline_logistic_average(outcomes: Sequence[Outcome]) -> list[float]:
    def fit(train: list[Outcome]):
        a, b = fit_logistic([o.average_score for o in train], [int(o.passed) for o in train])
        return lambda o: sigmoid(a + b * o.average_score)
    return _cross_fitted(outcomes, fit)


RANGE_LEVEL = 0.9  # the score range's nominal coverage


def _binomial_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 1.0 if k == 0 else 0.0
    if p >= 1.0:
        return 1.0 if k == n else 0.0
    return math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                    + k * math.log(p) + (n - k) * math.log1p(-p))


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    return min(1.0, sum(_binomial_pmf(i, n, p) for i in range(0, k + 1)))


def binomial_p_value(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial test: the probability, if each of ``n`` forecasts were inside its range with
    chance ``p``, of a count as unlikely as ``k`` or less likely (summing outcomes no likelier than ``k``)."""
    if n <= 0:
        return 1.0
    observed = _binomial_pmf(k, n, p)
    return min(1.0, sum(q for q in (_binomial_pmf(i, n, p) for i in range(n + 1)) if q <= observed * (1 + 1e-7)))


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval for a proportion seen as ``k`` of ``n``."""
    if n <= 0:
        return 0.0, 1.0
    tail = (1.0 - level) / 2

    def solve(target: Callable[[float], float]) -> float:
        low, high = 0.0, 1.0  # target is increasing in p
        for _ in range(60):
            mid = (low + high) / 2
            if target(mid) < 0.0:
                low = mid
            else:
                high = mid
        return (low + high) / 2

    # Lower bound: P(X >= k | p) = tail; upper bound: P(X <= k | p) = tail.
    lower = 0.0 if k == 0 else solve(lambda p: (1.0 - _binomial_cdf(k - 1, n, p)) - tail)
    upper = 1.0 if k == n else solve(lambda p: tail - _binomial_cdf(k, n, p))
    return lower, upper


@dataclass(frozen=True)
class SegmentReport:
    family: str
    label: str
    n: int
    pass_rate: float
    brier_model: float  # the forecast as given
    brier_recalibrated: float  # after Platt recalibration per evidence group, cross-fitted on the other fold
    brier_logistic: float
    brier_base_rate: float
    log_loss_model: float
    log_loss_logistic: float
    log_loss_base_rate: float
    auc_model: float | None
    calibration_slope: float | None
    coverage: float  # 90% score range contains the score obtained
    coverage_recalibrated: float  # the same after the range's offset and width were fitted on the other fold
    ability_coverage: float | None  # simulation: the ability interval contains the true expected score
    enough_evidence: float  # share of forecasts shown as a probability (the rest say "not enough evidence")
    inside_recalibrated: int = 0  # how many scores the recalibrated range held (coverage_recalibrated × n)

    @property
    def beats_base_rate(self) -> bool:
        return self.brier_model <= self.brier_base_rate

    @property
    def coverage_interval(self) -> tuple[float, float]:
        """95% Clopper-Pearson interval for the recalibrated range's true coverage in this segment."""
        return clopper_pearson(self.inside_recalibrated, self.n)

    @property
    def coverage_p_value(self) -> float:
        """Chance of a coverage at least this far from the nominal 90% with this many forecasts if the range were right."""
        return binomial_p_value(self.inside_recalibrated, self.n, RANGE_LEVEL)


def report(outcomes: Sequence[Outcome]) -> list[SegmentReport]:
    """Overall first, then one row per segment label present."""
    if not outcomes:
        return []
    base = baseline_base_rate(outcomes)
    logistic = baseline_logistic_average(outcomes)
    recalibrated = recalibrated_cross_fitted(outcomes)
    ranges = ranges_cross_fitted(outcomes)
    rows = [_segment("all", "all", list(range(len(outcomes))), outcomes, base, logistic, recalibrated, ranges)]
    for family in SEGMENT_FAMILIES:
        labels = sorted({o.segments.get(family) for o in outcomes if o.segments.get(family)})
        for label in labels:
            idx = [i for i, o in enumerate(outcomes) if o.segments.get(family) == label]
            rows.append(_segment(family, label, idx, outcomes, base, logistic, recalibrated, ranges))
    return rows


def _segment(family, label, idx, outcomes, base, logistic, recalibrated, ranges) -> SegmentReport:
    y = [int(outcomes[i].passed) for i in idx]
    model = [outcomes[i].probability for i in idx]
    b = [base[i] for i in idx]
    lg = [logistic[i] for i in idx]
    covered = sum(1 for i in idx if outcomes[i].lower <= outcomes[i].score <= outcomes[i].upper)
    inside = sum(1 for i in idx if ranges[i][0] <= outcomes[i].score <= ranges[i][1])
    with_truth = [i for i in idx if outcomes[i].true_score is not None and outcomes[i].ability_lower is not None]
    ability = (
        sum(1 for i in with_truth if outcomes[i].ability_lower <= outcomes[i].true_score <= outcomes[i].ability_upper)
        / len(with_truth) if with_truth else None
    )
    return SegmentReport(
        family=family, label=label, n=len(idx), pass_rate=sum(y) / len(y),
        brier_model=brier(model, y),
        brier_recalibrated=brier([recalibrated[i] for i in idx], y),
        brier_logistic=brier(lg, y), brier_base_rate=brier(b, y),
        log_loss_model=log_loss(model, y), log_loss_logistic=log_loss(lg, y), log_loss_base_rate=log_loss(b, y),
        auc_model=auc(model, y), calibration_slope=calibration_slope(model, y) if len(idx) >= 20 else None,
        coverage=covered / len(idx),
        coverage_recalibrated=inside / len(idx),
        ability_coverage=ability,
        enough_evidence=sum(1 for i in idx if outcomes[i].enough_evidence) / len(idx),
        inside_recalibrated=inside,
    )
