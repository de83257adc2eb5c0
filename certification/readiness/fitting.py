"""Fitting the population from everyone's evidence (pure): items, channel links, prior, time.

1. **Items and students** (joint maximum a posteriori, a few alternating Fisher-scoring sweeps):
   every item's difficulty b on its domain's logit scale, every (student, domain) ability θ, and
   each non-exam channel's discrimination a. Only first answers are used (a repeat after the key
   was shown measures memory of the key). Priors: exam questions N(author difficulty, 1) — the
   author labels' offsets are re-estimated from the data and kept centred, which anchors the
   scale; quiz questions and cases N(their channel's mean in the domain, 1.2²); θ N(μ_d, τ²).
   A channel's slope is fitted only on (student, domain) pairs that also have exam answers, with
   ability measured by those exam answers alone (its prior spread re-estimated from them), and
   each item's difficulty taken without the answer being explained: otherwise a difficulty fitted
   to a handful of answers "explains" them and the slope grows to exploit it.
2. **Prior strengths**: τ_u² (students' overall level) is the average product of one student's
   deviations in two different domains; τ_u² + τ_e² is the variance of a deviation minus its
   measurement noise (method of moments on likelihood summaries, so the shrinkage of step 1 does
   not bias them).
3. **Time**: the drift q and forgetting time T that best predict each session's answers from
   the sessions before it (one-step-ahead log-likelihood on a sample of students), by a small
   coordinate search.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

from .ability import ReadinessParams, Response, predictive_from_trace, session_trace
from .irt import LABEL_DIFFICULTY, score_and_information
from .population import (
    DEFAULT_GUESS,
    DEFAULT_LINKS,
    EXAM,
    ChannelLink,
    Population,
    pool_summary,
)

FIRST_ANSWERS = 20  # a student's first answers in a domain measure where they started
MIN_LINK_PAIRS = 20  # (student, domain) pairs with both this channel and exam answers before a slope is fitted
WEAK_LINK = 0.3
SLOPE_PRIOR_VAR = 0.25  # a channel's slope starts from the exam's (1) with this much room
_PI_OVER_8 = math.pi / 8.0  # a fitted slope below this leaves the channel out
DRIFT_GRID = (0.0005, 0.002, 0.006, 0.015, 0.04)
FORGETTING_GRID = (None, 180.0, 60.0, 20.0, 7.0)


@dataclass(frozen=True)
class ItemInfo:
    channel: str
    domain: str
    guess: float
    label: int | None = None  # author difficulty 1 (easy) .. 3 (hard)


def _sig(x: float) -> float:
    if x < -35.0:
        return 6.3e-16
    if x > 35.0:
        return 1.0 - 6.3e-16
    return 1.0 / (1.0 + math.exp(-x))


def fit_population(
    histories: Mapping[Hashable, Sequence[Response]],
    items: Mapping[str, ItemInfo],
    *,
    pool_items: Mapping[str, Sequence[str]],
    links: Mapping[str, ChannelLink] = DEFAULT_LINKS,
    sweeps: int = 6,
    dynamics_students: int = 120,
    fit_dynamics: bool = True,
    seed: int = 0,
) -> Population:
    """Fit a Population from each student's responses (ages relative to the fit time)."""
    items = dict(items)
    used = {ch for ch, link in links.items() if link.used}
    # --- first answers of the channels in use, indexed ---------------------------------------
    sd_index: dict[tuple, int] = {}
    sd_domain: list[str] = []
    item_index: dict[str, int] = {}
    item_keys: list[str] = []
    rows: list[tuple[int, int, float, float]] = []  # (sd, item, w, x)
    responses_total = 0
    for student, history in histories.items():
        seen: set[str] = set()
        for r in sorted(history, key=lambda r: -r.age_days):
            if r.channel not in used or r.item in seen:
                continue
            seen.add(r.item)
            responses_total += 1
            key = (student, r.domain)
            s = sd_index.get(key)
            if s is None:
                s = sd_index[key] = len(sd_domain)
                sd_domain.append(r.domain)
            i = item_index.get(r.item)
            if i is None:
                i = item_index[r.item] = len(item_keys)
                item_keys.append(r.item)
                if r.item not in items:
                    items[r.item] = ItemInfo(r.channel, r.domain, DEFAULT_GUESS.get(r.channel, 0.0))
            rows.append((s, i, r.weight, min(max(r.score, 0.0), 1.0)))

    info = [items[k] for k in item_keys]
    guess = [it.guess for it in info]
    channel_of = [it.channel for it in info]
    by_sd: list[list[tuple[int, float, float]]] = [[] for _ in sd_domain]
    by_item: list[list[tuple[int, float, float]]] = [[] for _ in item_keys]
    for s, i, w, x in rows:
        by_sd[s].append((i, w, x))
        by_item[i].append((s, w, x))
    has_exam = [any(channel_of[i] == EXAM for i, _, _ in group) for group in by_sd]

    label_offset = dict(LABEL_DIFFICULTY)
    label_pool_total: dict[int, int] = {}
    for it in items.values():
        if it.channel == EXAM and it.label:
            label_pool_total[it.label] = label_pool_total.get(it.label, 0) + 1
    channel_mean: dict[str, float] = {}
    domains = sorted(set(sd_domain) | {it.domain for it in items.values()})
    mu = {d: 0.3 for d in domains}
    tau2 = 1.0
    slope = {ch: (1.0 if ch == EXAM else links[ch].discrimination or 1.0) for ch in used}

    def item_prior(it: ItemInfo) -> tuple[float, float]:
        if it.channel == EXAM:
            return label_offset.get(it.label, 0.0) if it.label else 0.0, 1.0
        return channel_mean.get(f"{it.channel}:{it.domain}", channel_mean.get(it.channel, 0.0)), 1.44

    theta = [mu[d] for d in sd_domain]
    theta_var = [tau2 for _ in sd_domain]
    linked = [s for s, group in enumerate(by_sd) if has_exam[s] and any(channel_of[i] != EXAM for i, _, _ in group)]
    exam_theta = {s: theta[s] for s in linked}
    exam_var = {s: tau2 for s in linked}
    link_tau2 = tau2
    item_info = [1.0] * len(item_keys)
    b = [item_prior(it)[0] for it in info]
    pairs_with_exam: dict[str, int] = {}
    for sweep in range(sweeps):
        # Students (per domain): the MAP and its posterior variance.
        for s, group in enumerate(by_sd):
            t = theta[s]
            grad = -(t - mu[sd_domain[s]]) / tau2
            inf = 1.0 / tau2
            for i, w, x in group:
                a = slope[channel_of[i]]
                c = guess[i]
                sg = _sig(a * (t - b[i]))
                p = c + (1.0 - c) * sg
                dp = (1.0 - c) * a * sg * (1.0 - sg)
                ratio = dp / max(p * (1.0 - p), 1e-12)
                grad += (x - p) * w * ratio
                inf += w * dp * ratio
            theta[s] = t + max(-2.0, min(2.0, grad / inf))
            theta_var[s] = 1.0 / inf
        # Items, against each student's ability *distribution* (mean and variance), not a point: the
        # MAP abilities are shrunk, and treating them as exact would squeeze the items' spread.
        for i, group in enumerate(by_item):
            prior_mean, prior_var = item_prior(info[i])
            bi = b[i]
            a = slope[channel_of[i]]
            c = guess[i]
            grad = -(bi - prior_mean) / prior_var
            inf = 1.0 / prior_var
            for s, w, x in group:
                ak = a / math.sqrt(1.0 + _PI_OVER_8 * a * a * theta_var[s])
                sg = _sig(ak * (theta[s] - bi))
                p = c + (1.0 - c) * sg
                dp = (1.0 - c) * ak * sg * (1.0 - sg)  # d p / d theta = - d p / d b
                ratio = dp / max(p * (1.0 - p), 1e-12)
                grad -= (x - p) * w * ratio
                inf += w * dp * ratio
            b[i] = bi + max(-2.0, min(2.0, grad / inf))
            item_info[i] = inf
        # Channel slopes: the channel's answers against ability measured by exam answers alone, so
        # the link is to the exam scale and not to the channel's own answers.
        for s in linked:
            t = exam_theta[s]
            grad = -(t - mu[sd_domain[s]]) / link_tau2
            inf = 1.0 / link_tau2
            for i, w, x in by_sd[s]:
                if channel_of[i] != EXAM:
                    continue
                c = guess[i]
                sg = _sig(t - b[i])
                p = c + (1.0 - c) * sg
                dp = (1.0 - c) * sg * (1.0 - sg)
                ratio = dp / max(p * (1.0 - p), 1e-12)
                grad += (x - p) * w * ratio
                inf += w * dp * ratio
            exam_theta[s] = t + max(-2.0, min(2.0, grad / inf))
            exam_var[s] = 1.0 / inf
        if linked:  # empirical Bayes: the prior's spread is the spread of the estimates plus their uncertainty
            spread = sum((exam_theta[s] - mu[sd_domain[s]]) ** 2 + exam_var[s] for s in linked)
            link_tau2 = max(0.1, spread / len(linked))
        for ch in used:
            if ch == EXAM:
                continue
            grad = -(slope[ch] - 1.0) / SLOPE_PRIOR_VAR
            inf = 1.0 / SLOPE_PRIOR_VAR
            pairs = 0
            a = slope[ch]
            for s in linked:
                counted = False
                v = exam_var[s]
                kappa = 1.0 / math.sqrt(1.0 + _PI_OVER_8 * a * a * v)
                for i, w, x in by_sd[s]:
                    if channel_of[i] != ch:
                        continue
                    counted = True
                    c = guess[i]
                    # The item's difficulty without this very answer: a difficulty fitted to few answers
                    # "explains" them, and the slope would grow to exploit that.
                    ak = a / math.sqrt(1.0 + _PI_OVER_8 * a * a * theta_var[s])
                    sg = _sig(ak * (theta[s] - b[i]))
                    p = c + (1.0 - c) * sg
                    dp = (1.0 - c) * ak * sg * (1.0 - sg)
                    b_without = b[i] + (x - p) * w * dp / max(p * (1.0 - p), 1e-12) / item_info[i]
                    gap = exam_theta[s] - b_without
                    sg = _sig(kappa * a * gap)
                    p = c + (1.0 - c) * sg
                    dp = (1.0 - c) * sg * (1.0 - sg) * gap * kappa**3  # d/da of σ(a·gap / sqrt(1 + π a² v / 8))
                    ratio = dp / max(p * (1.0 - p), 1e-12)
                    grad += (x - p) * w * ratio
                    inf += w * dp * ratio
                pairs += counted
            pairs_with_exam[ch] = pairs
            if pairs >= MIN_LINK_PAIRS:
                slope[ch] = max(0.1, min(3.0, a + max(-0.5, min(0.5, grad / inf))))
        # Domain means, author-label offsets (kept centred: they anchor the scale), channel means.
        sums: dict[str, list[float]] = {}
        for s, d in enumerate(sd_domain):
            acc = sums.setdefault(d, [0.0, 0])
            acc[0] += theta[s]
            acc[1] += 1
        for d, (total, n) in sums.items():
            mu[d] = total / n
        by_label: dict[int, list[float]] = {}
        by_channel: dict[str, list[float]] = {}
        for i, it in enumerate(info):
            if len(by_item[i]) < 3:
                continue
            if it.channel == EXAM and it.label:
                by_label.setdefault(it.label, []).append(b[i])
            elif it.channel != EXAM:
                by_channel.setdefault(f"{it.channel}:{it.domain}", []).append(b[i])
                by_channel.setdefault(it.channel, []).append(b[i])
        # Re-estimate the author labels' spacing only from labels whose answered questions are most of
        # that label's pool: the answered part of a label chosen by students is not representative.
        representative = {lab: v for lab, v in by_label.items()
                          if len(v) >= 10 and len(v) >= 0.6 * label_pool_total.get(lab, len(v))}
        if len(representative) == len(LABEL_DIFFICULTY):
            raw = {lab: (sum(v) + 5 * LABEL_DIFFICULTY[lab]) / (len(v) + 5) for lab, v in representative.items()}
            centre = sum(raw.values()) / len(raw)
            label_offset.update({lab: v - centre for lab, v in raw.items()})
        channel_mean = {k: sum(v) / len(v) for k, v in by_channel.items()}

        if sweep == sweeps - 2:  # prior strength from the data before the last sweep
            tau_u2, tau_e2 = _variance_components(by_sd, theta, b, guess, channel_of, slope, sd_domain, mu, tau2,
                                                  [k[0] for k in sd_index])
            tau2 = tau_u2 + tau_e2
    if sweeps < 2:
        tau_u2, tau_e2 = 0.64, 0.36

    gap_sd = _channel_gaps(linked, by_sd, exam_theta, exam_var, b, guess, channel_of, slope, used)
    extrapolation_sd = _extrapolation_sd(by_sd, theta, b, guess, channel_of)

    # Starting level per domain: each student's first answers there, before practice has taught them.
    starts: dict[str, list[float]] = {}
    for s, group in enumerate(by_sd):
        first = group[:FIRST_ANSWERS]
        bins = [[slope[channel_of[i]], b[i], guess[i], w, w * x] for i, w, x in first]
        t, _ = _ability_map(bins, mu[sd_domain[s]], tau2, steps=2)
        starts.setdefault(sd_domain[s], []).append(t)
    start_mean = {d: sum(v) / len(v) for d, v in starts.items()}

    # --- the population --------------------------------------------------------------------
    fitted_items: dict[str, tuple[float, float]] = {}
    for key, it in items.items():
        i = item_index.get(key)
        fitted_items[key] = (b[i], it.guess) if i is not None else (item_prior(it)[0], it.guess)
    channel_difficulty = dict(channel_mean)
    pools = {}
    for domain, keys in pool_items.items():
        known = [fitted_items[k] for k in keys if k in fitted_items]
        if known:
            pools[domain] = pool_summary(known)
    channels = {}
    for ch, link in links.items():
        if ch == EXAM or not link.used:
            channels[ch] = link
            continue
        pairs = pairs_with_exam.get(ch, 0)
        if pairs < MIN_LINK_PAIRS:
            channels[ch] = replace(link, students_with_exam=pairs)
        elif slope[ch] < WEAK_LINK:
            channels[ch] = ChannelLink(slope[ch], False, f"Left out: its answers barely move with exam ability "
                                       f"(fitted slope {slope[ch]:.2f} on {pairs} student-domains with both).", pairs)
        else:
            gap = gap_sd.get(ch, link.gap_sd)
            channels[ch] = ChannelLink(slope[ch], True, f"Fitted slope {slope[ch]:.2f} against exam answers "
                                       f"({pairs} student-domains with both); item difficulty from the fit; "
                                       f"gap to exam ability sd {gap:.2f} logits.", pairs, gap)
    population = Population(
        domain_mean=mu,
        default_mean=sum(mu.values()) / len(mu) if mu else 0.3,
        start_mean=start_mean,
        student_sd=math.sqrt(tau_u2),
        domain_sd=math.sqrt(tau_e2),
        channels=channels,
        items=fitted_items,
        channel_difficulty=channel_difficulty,
        pools=pools,
        fitted={"students": len(histories), "responses": responses_total, "items_with_answers": len(item_keys),
                "label_offsets": {str(k): round(v, 3) for k, v in label_offset.items()},
                "extrapolation_pairs": extrapolation_sd[1]},
        extrapolation_sd=extrapolation_sd[0],
    )
    if fit_dynamics:
        # The rates are chosen by how well each session is predicted from the ones before it. Item
        # difficulties fitted on the same answers would already "know" those sessions (and make any
        # drift look useless), so they come from a fit on the other half of the students.
        keys = sorted(histories, key=str)
        random.Random(seed).shuffle(keys)
        half = len(keys) // 2
        calibration = {k: histories[k] for k in keys[:half]}
        held_out = {k: histories[k] for k in keys[half:]}
        if len(calibration) >= 20 and len(held_out) >= 20:
            items_only = fit_population(calibration, items, pool_items=pool_items, links=links, sweeps=sweeps,
                                        fit_dynamics=False)
            timed = fit_time(items_only, held_out, students=dynamics_students, seed=seed)
            population = replace(population, drift_per_day=timed.drift_per_day, forgetting_days=timed.forgetting_days,
                                 fitted={**population.fitted, **{k: v for k, v in timed.fitted.items()
                                                                 if k.startswith("time_")}})
    return population


def _channel_gaps(linked, by_sd, exam_theta, exam_var, b, guess, channel_of, slope, used) -> dict[str, float]:
    """Per channel: the sd of the gap between ability measured by its answers alone and by exam answers alone,
    beyond what their measurement noise explains (student-domains with both; at least MIN_LINK_PAIRS)."""
    squares: dict[str, list[float]] = {}
    for s in linked:
        for ch in used:
            if ch == EXAM:
                continue
            answers = [(i, w, x) for i, w, x in by_sd[s] if channel_of[i] == ch]
            if len(answers) < 3:
                continue
            # From the exam estimate, with a weak prior around it.
            t, inf = _ability_map([[slope[ch], b[i], guess[i], w, w * x] for i, w, x in answers], exam_theta[s], 4.0,
                                  steps=3)
            if inf < 1.0:
                continue
            gap = t - exam_theta[s]
            squares.setdefault(ch, []).append(gap * gap - 1.0 / inf - exam_var[s])
    return {ch: math.sqrt(max(0.0, sum(v) / len(v))) for ch, v in squares.items() if len(v) >= MIN_LINK_PAIRS}


EXTRAPOLATION_DEFAULT = 0.25  # until enough students have answered exam items of clearly different difficulty
EXTRAPOLATION_BOUNDS = (0.1, 1.0)


def _ability_map(bins, prior_mean: float, prior_variance: float, *, steps: int) -> tuple[float, float]:
    """One student-domain's ability from some answers (bins of irt.score_and_information) under a Gaussian prior:
    ``steps`` Fisher-scoring steps from the prior mean, each at most 2 logits. Returns θ and the information
    (the prior's included) where the last step started."""
    t = prior_mean
    information = 0.0
    for _ in range(steps):
        gradient, information = score_and_information(t, bins)
        gradient -= (t - prior_mean) / prior_variance
        information += 1.0 / prior_variance
        t += max(-2.0, min(2.0, gradient / information))
    return t, information


def _half_ability(answers, start, b, guess) -> tuple[float, float]:
    """Ability from some exam answers alone (slope 1, weak prior around ``start``) and its Fisher information."""
    return _ability_map([[1.0, b[i], guess[i], w, w * x] for i, w, x in answers], start, 4.0, steps=3)


def _extrapolation_sd(by_sd, theta, b, guess, channel_of) -> tuple[float, int]:
    """How far ability measured on easier items misses ability on harder ones, per logit between them.

    Each student-domain's exam answers are split at their median difficulty; ability is measured on each
    half alone. Under the link the two agree up to measurement noise; the excess of the squared gap over
    that noise, per squared logit of difficulty between the halves (method of moments), is the variance
    of the error of carrying ability from one difficulty to another. Returns (sd, student-domains used);
    the default stands until MIN_LINK_PAIRS student-domains with halves at least half a logit apart.
    """
    excess = spread = 0.0
    used = 0
    for s, group in enumerate(by_sd):
        answers = sorted(((b[i], i, w, x) for i, w, x in group if channel_of[i] == EXAM), key=lambda t: t[0])
        if len(answers) < 12:
            continue
        half = len(answers) // 2
        easier = [(i, w, x) for _, i, w, x in answers[:half]]
        harder = [(i, w, x) for _, i, w, x in answers[half:]]
        distance = (sum(b[i] for i, _, _ in harder) / len(harder) - sum(b[i] for i, _, _ in easier) / len(easier))
        if distance < 0.5:
            continue
        t_easy, inf_easy = _half_ability(easier, theta[s], b, guess)
        t_hard, inf_hard = _half_ability(harder, theta[s], b, guess)
        if inf_easy < 1.0 or inf_hard < 1.0:
            continue
        gap = t_hard - t_easy
        excess += gap * gap - 1.0 / inf_easy - 1.0 / inf_hard
        spread += distance * distance
        used += 1
    if used < MIN_LINK_PAIRS or spread <= 0.0:
        return EXTRAPOLATION_DEFAULT, used
    low, high = EXTRAPOLATION_BOUNDS
    return min(max(math.sqrt(max(excess, 0.0) / spread), low), high), used


# A (student, domain) summary enters the prior strengths once its answers carry this much Fisher information
# (logit⁻²). Students near the top or the bottom of the items they answer (all easy items answered right, say)
# carry little, and they are the ones far from the mean: leaving them out narrows the fitted spread of
# students, and the prior then pulls exactly those students too far toward the middle. Their noise is
# subtracted (1 / information) like everyone's.
PRIOR_STRENGTH_MIN_INFORMATION = 0.3


def _variance_components(by_sd, theta, b, guess, channel_of, slope, sd_domain, mu, tau2, sd_student):
    """(τ_u², τ_e²) from likelihood summaries of each (student, domain) with enough answers."""
    deviations: dict[Hashable, list[float]] = {}
    squares = noise = 0.0
    count = 0
    for s, group in enumerate(by_sd):
        if len(group) < 8:
            continue
        t = theta[s]
        inf = 0.0
        for i, w, _ in group:
            a = slope[channel_of[i]]
            c = guess[i]
            sg = _sig(a * (t - b[i]))
            p = c + (1.0 - c) * sg
            dp = (1.0 - c) * a * sg * (1.0 - sg)
            inf += w * dp * dp / max(p * (1.0 - p), 1e-12)
        if inf < PRIOR_STRENGTH_MIN_INFORMATION:
            continue
        likelihood_mean = t + (t - mu[sd_domain[s]]) / (tau2 * inf)
        delta = max(-4.0, min(4.0, likelihood_mean - mu[sd_domain[s]]))
        deviations.setdefault(sd_student[s], []).append(delta)
        squares += delta * delta
        noise += 1.0 / inf
        count += 1
    if count < 10:
        return 0.64, 0.36
    total = max(squares / count - noise / count, 0.1)
    cross = pairs = 0.0
    for values in deviations.values():
        k = len(values)
        if k < 2:
            continue
        s1 = sum(values)
        s2 = sum(v * v for v in values)
        cross += (s1 * s1 - s2)
        pairs += k * (k - 1)
    tau_u2 = min(max(cross / pairs, 0.05), total - 0.02) if pairs else total / 2
    tau_u2 = max(tau_u2, 0.0025)
    tau_e2 = max(total - tau_u2, 0.04)
    return tau_u2, tau_e2


def fit_time(population: Population, histories: Mapping[Hashable, Sequence[Response]], *, students: int = 120,
             seed: int = 0) -> Population:
    """Drift q and forgetting T by one-step-ahead log-likelihood on a sample of students."""
    keys = sorted(histories, key=str)
    random.Random(seed).shuffle(keys)
    sample = [histories[k] for k in keys[:students] if histories[k]]
    if not sample:
        return population
    params = ReadinessParams()
    # The answers are read once: each candidate (q, T) replays only the sessions' current-level filter.
    traces = [session_trace(history, population, params=params) for history in sample]

    def score(candidate: Population) -> float:
        total = weight = 0.0
        for trace in traces:
            ll, w = predictive_from_trace(trace, candidate)
            total += ll
            weight += w
        return total / weight if weight else 0.0

    best = replace(population, forgetting_days=None)
    best_q, best_score = population.drift_per_day, -math.inf
    for q in DRIFT_GRID:
        value = score(replace(best, drift_per_day=q))
        if value > best_score:
            best_q, best_score = q, value
    best = replace(best, drift_per_day=best_q)
    best_t = None
    for horizon in FORGETTING_GRID[1:]:
        value = score(replace(best, forgetting_days=horizon))
        if value > best_score + 1e-5:
            best_t, best_score = horizon, value
    fitted = dict(population.fitted)
    fitted["time_loglik_per_answer"] = round(best_score, 5)
    return replace(best, forgetting_days=best_t, fitted=fitted)
