"""One student's ability per domain, given item difficulty, evidence channels and time (pure).

1. **Measurement, not rehearsal.** Responses are read oldest first; the first answer to an item is a
   measurement. A later answer to the same item (a retaken quiz, a resubmitted case, an exam
   question seen again) came after its key was shown: it is practice, counted with
   ``rehearsal_weight`` (0 by default) and reported separately. Channels the population fit leaves
   out (flashcard self-ratings) are counted and left out.
2. **The student's own level.** A likelihood summary per practised domain (all its first answers,
   given the items' difficulty) feeds a hierarchical prior: θ_d = μ_d + u + e_d, with the student's
   level u ~ N(0, τ_u²) and the domain's own deviation e_d ~ N(0, τ_e²). Each domain's prior uses
   the other domains only (leave-one-out), so nothing is counted twice. A domain with no evidence
   gets μ_d + E[u] with variance τ_e² + Var(u): it never borrows more certainty than the
   population's spread between one student's domains allows.
3. **Time.** Two Gaussian states per domain, updated session by session (a Laplace/Kalman step on
   the logistic link): the current level, which wanders (variance q per day) and whose gains fade
   toward the second state with time constant T; and the student's own earlier level in that
   domain (their first answers there). At "now" the gap since the last session is applied too, so
   uncertainty grows with time since practice, and a strong student who stopped long ago falls
   back to where *they* started, not to the population.
4. **Incremental.** Everything above is kept as sufficient statistics per domain (``StudentState``:
   counts, the two filter states, a running likelihood summary, the day's open session), so a
   refresh folds in only the answers since the last one and then costs O(domains), whatever the
   number of answers. The level from the other domains is applied at "now" as a Gaussian
   pseudo-observation of the domain's ability (the exchange of the population prior for the
   leave-one-out prior), so one domain's filter never depends on another's answers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from statistics import NormalDist

from .irt import posterior_update, predictive_log_likelihood
from .population import Population

EARLIER_ANSWERS = 20  # a student's first answers in a domain: the earlier level that gains fade back to


@dataclass(frozen=True, slots=True)
class Response:
    """One graded answer: score in [0, 1], age in days at the time of the estimate."""

    domain: str
    channel: str
    item: str
    score: float
    age_days: float
    weight: float = 1.0


@dataclass(frozen=True)
class ReadinessParams:
    rehearsal_weight: float = 0.0  # weight of an answer given after the item's key was shown
    min_domain_responses: int = 5  # fewer first answers than this: the domain counts as not practised
    min_coverage: float = 0.6  # practised share of the blueprint's weight needed to show a pass probability
    credible_level: float = 0.9
    easy_margin: float = 1.0  # an item this many logits easier than its domain's exam pool counts as easy


@dataclass(frozen=True)
class DomainAbility:
    domain: str
    mean: float  # θ now, logits
    variance: float
    shared: float  # how much of the estimate rests on the student's level from other domains (0..1)
    responses: int  # first answers used
    rehearsals: int  # answers after the key was shown
    easy: int  # first answers to easy items
    days_since: float | None  # since the last session in this domain
    avoided: float = 0.0  # part of the variance from the sceptical prior of an unpractised domain (shared by all)
    # Sd of the error every domain measured through the same channels shares (each channel's gap to exam
    # ability). Included in ``variance``; across domains it adds up instead of averaging away.
    systematic: float = 0.0
    # Signed sd of the error of carrying ability from the difficulty of the evidence to the exam pool's
    # (the link's slope between easy and exam-level items is one unknown for every domain, so this error
    # is shared: across domains measured on easier items it adds up instead of averaging away). In ``variance``.
    extrapolated: float = 0.0


@dataclass(frozen=True)
class StudentEstimate:
    domains: dict[str, DomainAbility]
    level: float  # E[u]: the student's level relative to the population
    level_variance: float  # Var(u): shared by every domain that leans on it
    left_out: dict[str, int] = field(default_factory=dict)  # channel -> answers not used
    predictive: tuple[float, float] = (0.0, 0.0)  # (log-likelihood, weight) of sessions predicted before seen
    practised: frozenset = frozenset()  # domains with at least ``min_domain_responses`` first answers
    average_score: float | None = None  # weighted average score of every answer (None: no answers)
    # Where the student's level was measured: the weighted mean distance, in logits, from the difficulty of their
    # first answers to each practised domain's exam pool (negative: easier items than the exam's).
    evidence_distance: float = 0.0

    @property
    def responses(self) -> int:
        return sum(d.responses for d in self.domains.values())

    @property
    def rehearsals(self) -> int:
        return sum(d.rehearsals for d in self.domains.values())

    @property
    def easy_share(self) -> float:
        n = self.responses
        return sum(d.easy for d in self.domains.values()) / n if n else 0.0

    @property
    def days_since_practice(self) -> float | None:
        gaps = [d.days_since for d in self.domains.values() if d.days_since is not None]
        return min(gaps) if gaps else None

    def ability(self, domain: str, population: Population, domains: Iterable[str] | None = None) -> DomainAbility:
        """The domain's estimate; a domain without evidence leans on where students start and is judged sceptically.

        ``domains``: the exam's domains (a blueprint's), which sets how many the student could have
        chosen from; without it, every domain the population knows.
        """
        found = self.domains.get(domain)
        if found is not None:
            return found
        # θ_d = start_d + u + e_d. The part of u not borrowed keeps its full population spread, and u is
        # one number for every domain: its uncertainty is shared (it does not average away over domains).
        # Its own deviation: the fitted spread between one student's domains comes from the domains students
        # chose, which the choice narrows; a domain not chosen gets at least the sceptical prior's spread.
        rho = population.borrow
        shared_var = rho * rho * self.level_variance + (1 - rho * rho) * population.student_sd**2
        shift, spread = avoidance(population, len(self.practised), _domain_count(population, domains, self.practised))
        # The level it borrows was measured on the student's own items: carried to this domain's exam pool it
        # shares the extrapolation error of the practised domains (one unknown for the whole scale).
        extrapolated = population.extrapolation_sd * self.evidence_distance
        return DomainAbility(
            domain=domain, mean=population.start_for(domain) + rho * self.level - shift,
            variance=max(population.domain_sd, population.avoidance_sd)**2 + shared_var + spread
            + extrapolated * extrapolated,
            shared=math.sqrt(shared_var / self.level_variance) if self.level_variance > 0 else 1.0,
            responses=0, rehearsals=0, easy=0, days_since=None, avoided=spread, extrapolated=extrapolated,
        )


_NORMAL = NormalDist()


def _domain_count(population: Population, domains: Iterable[str] | None, practised: frozenset) -> int:
    known = set(domains) if domains is not None else set(population.pools) | set(population.domain_mean)
    return len(known | set(practised))


@lru_cache(maxsize=1024)
def top_mean(chosen: int, total: int) -> float:
    """Expected mean of the largest ``chosen`` of ``total`` standard normal draws (Blom's approximation)."""
    if chosen <= 0 or total <= 0 or chosen >= total:
        return 0.0
    ranks = range(total - chosen + 1, total + 1)
    return sum(_NORMAL.inv_cdf((r - 0.375) / (total + 0.25)) for r in ranks) / chosen


def avoidance(population: Population, practised: int, total: int) -> tuple[float, float]:
    """(shift down, extra variance) of a domain the student has not practised, in logits.

    Nothing in a student's own answers says whether they picked their domains at random or practised
    their strongest and avoided the rest; the two look the same. The prior is a mixture of the two
    stories, with weight ``population.avoidance`` on "avoided because weak": under it the avoided
    domains lie below the chosen ones by the gap between the top ``practised`` of ``total`` draws of
    the domain spread and the rest. The mixture's mean moves down by that weight times the gap, and
    its variance grows by the spread between the two stories. The spread used is at least
    ``population.avoidance_sd``: the fitted spread between one student's domains comes from the
    domains students chose, which the choice itself narrows. Outcomes (full-length practice exams)
    choose the weight (validation.avoidance_fit).
    """
    if practised <= 0 or practised >= total or population.avoidance <= 0.0:
        return 0.0, 0.0
    sd = max(population.domain_sd, population.avoidance_sd)
    gap = sd * top_mean(practised, total) * total / (total - practised)
    weight = population.avoidance
    return weight * gap, weight * (1.0 - weight) * gap * gap


def _pool_mean(population: Population, domain: str) -> float:
    return sum(b * share for b, _, share in population.pool(domain))


@dataclass
class DomainState:
    """Sufficient statistics of one domain's answers: counts, running summaries and the open session."""

    prior_mean: float  # μ_d, the population prior the filters start from
    prior_var: float  # τ_u² + τ_e²
    easy_cut: float
    responses: int = 0
    rehearsals: int = 0
    easy: int = 0
    difficulty_sum: float = 0.0  # Σ w·b over first answers: where on the scale this domain was measured
    weight_sum: float = 0.0
    channel_weight: dict = field(default_factory=dict)  # Σ w of first answers per channel
    static: tuple = ()  # (mean, variance): every answer, no time, under the population prior
    fast: tuple = ()  # (mean, variance): the current level after the last closed session
    early: tuple = ()  # (mean, variance): the student's earlier level (their first EARLIER_ANSWERS answers)
    early_answers: float = 0.0
    closed_at: float | None = None  # time (days) of the last closed session's latest answer
    open_day: int | None = None  # the day of the session still open (answers of one day are one session)
    open_at: float = 0.0
    open_bins: dict = field(default_factory=dict)
    loglik: float = 0.0  # closed sessions predicted before they were seen
    loglik_weight: float = 0.0
    # Fitting the time rates only: each closed session as (days since the previous one or None, its bins,
    # the earlier level before it). None outside a fit.
    trace: list | None = None

    def __post_init__(self) -> None:
        if not self.static:
            self.static = self.fast = self.early = (self.prior_mean, self.prior_var)

    @property
    def measured(self) -> bool:
        return self.closed_at is not None or self.open_day is not None

    @property
    def last_at(self) -> float | None:
        return self.open_at if self.open_day is not None else self.closed_at


@dataclass
class StudentState:
    """What a refresh keeps of one student's answers for one population (see ``absorb``)."""

    population_key: str
    domains: dict[str, DomainState] = field(default_factory=dict)
    seen: set = field(default_factory=set)
    left_out: dict[str, int] = field(default_factory=dict)
    latest: float = -math.inf  # time of the newest answer absorbed
    # Every answer's score and weight summed, whatever its channel or repeat: the average score, which the
    # recalibration on practice-exam outcomes uses beside the model's own forecast.
    score_total: float = 0.0
    weight_total: float = 0.0
    trace: bool = False  # fitting only: domain states keep their sessions (session_trace)


class OutOfOrder(ValueError):
    """An answer older than the newest one absorbed: the state must be rebuilt from all answers."""


def population_key(population: Population) -> str:
    """What a kept state is valid for: the fit's version, or this very object when it has none."""
    version = population.fitted.get("version")
    return f"fit:{version}" if version else f"object:{id(population)}"


def student_state(population: Population) -> StudentState:
    return StudentState(population_key=population_key(population))


def absorb(state: StudentState, responses: Iterable[Response], population: Population, *,
           params: ReadinessParams = ReadinessParams(), at: float = 0.0, score: bool = False) -> StudentState:
    """Fold answers into the state, oldest first. ``at``: the time (days) their ages are counted back from.

    Costs O(new answers). Raises OutOfOrder for an answer older than one already absorbed (a regrade or
    an import): rebuild then. A state belongs to one population (item difficulties, links, prior).
    """
    if state.population_key != population_key(population):
        raise ValueError("This state was built for another population: rebuild it")
    links = {ch: link.discrimination for ch, link in population.channels.items() if link.used}
    known = population.items
    rehearsal_weight = params.rehearsal_weight
    marginal = population.student_sd**2 + population.domain_sd**2
    domains = state.domains
    seen = state.seen
    for r in sorted(responses, key=lambda r: -r.age_days):
        when = at - (r.age_days if r.age_days > 0.0 else 0.0)
        if when < state.latest - 1e-9:
            raise OutOfOrder(r.item)
        state.latest = when
        state.score_total += r.score * r.weight
        state.weight_total += r.weight
        a = links.get(r.channel)
        if a is None:
            state.left_out[r.channel] = state.left_out.get(r.channel, 0) + 1
            continue
        domain = r.domain
        slot = domains.get(domain)
        if slot is None:
            slot = domains[domain] = DomainState(population.mean_for(domain), marginal,
                                                 _pool_mean(population, domain) - params.easy_margin)
            if state.trace:
                slot.trace = []
        weight = r.weight
        item = r.item
        first = item not in seen
        if not first:
            slot.rehearsals += 1
            weight *= rehearsal_weight
            if weight <= 0.0:
                continue
        else:
            seen.add(item)
            slot.responses += 1
        found = known.get(item)
        b, c = found if found is not None else population.item(item, r.channel, domain)
        if first:
            if b <= slot.easy_cut:
                slot.easy += 1
            slot.difficulty_sum += weight * b
            slot.weight_sum += weight
            slot.channel_weight[r.channel] = slot.channel_weight.get(r.channel, 0.0) + weight
        x = r.score
        x = 0.0 if x < 0.0 else 1.0 if x > 1.0 else x
        day = math.floor(when)
        if slot.open_day != day:
            if slot.open_day is not None:
                _close(slot, population, score=score)
            slot.open_day = day
        slot.open_at = when
        key = (a, b, c)
        entry = slot.open_bins.get(key)
        if entry is None:
            slot.open_bins[key] = [a, b, c, weight, weight * x]
        else:
            entry[3] += weight
            entry[4] += weight * x
    return state


def _session(slot: DomainState, population: Population, *, score: bool):
    """The open session applied to copies of the filters: (static, fast, early, early answers, ll, ll weight)."""
    bins = list(slot.open_bins.values())
    fast_m, fast_v = slot.fast
    early_m, early_v = slot.early
    ll = weight = 0.0
    if slot.closed_at is not None:
        fast_m, fast_v = _advance(fast_m, fast_v, early_m, early_v, slot.open_at - slot.closed_at,
                                  population.drift_per_day, population.forgetting_days)
        if score:
            ll, weight = predictive_log_likelihood(fast_m, fast_v, bins)
    fast = posterior_update(fast_m, fast_v, bins)
    early = slot.early
    early_answers = slot.early_answers
    if early_answers < EARLIER_ANSWERS:
        early = posterior_update(early_m, early_v, bins)
        early_answers += sum(entry[3] for entry in bins)
    static = posterior_update(slot.static[0], slot.static[1], bins)
    return static, fast, early, early_answers, ll, weight


def _close(slot: DomainState, population: Population, *, score: bool) -> None:
    if slot.trace is not None:
        slot.trace.append(_trace_entry(slot))
    slot.static, slot.fast, slot.early, slot.early_answers, ll, weight = _session(slot, population, score=score)
    slot.loglik += ll
    slot.loglik_weight += weight
    slot.closed_at = slot.open_at
    slot.open_day = None
    slot.open_bins = {}


def _trace_entry(slot: DomainState) -> tuple:
    gap = slot.open_at - slot.closed_at if slot.closed_at is not None else None
    return gap, list(slot.open_bins.values()), slot.early


def session_trace(responses: Iterable[Response], population: Population, *,
                  params: ReadinessParams = ReadinessParams()) -> list[tuple[tuple[float, float], list[tuple]]]:
    """Per domain: the current level's starting state and each session (gap, bins, earlier level before it).

    Everything the one-step-ahead log-likelihood of the current level needs that does not depend on the
    drift q and the forgetting time T, so ``predictive_from_trace`` can score many (q, T) without reading
    the answers again. The earlier level does not depend on q or T (it is updated without time).
    """
    state = student_state(population)
    state.trace = True  # marks the slots absorb creates
    absorb(state, responses, population, params=params)
    result = []
    for slot in state.domains.values():
        sessions = list(slot.trace or ())
        if slot.open_day is not None:
            sessions.append(_trace_entry(slot))
        result.append(((slot.prior_mean, slot.prior_var), sessions))
    return result


def predictive_from_trace(trace: list[tuple[tuple[float, float], list[tuple]]],
                          population: Population) -> tuple[float, float]:
    """The same as ``estimate_student(..., score=True).predictive`` for this population's q and T."""
    q, horizon = population.drift_per_day, population.forgetting_days
    total = weight = 0.0
    for (m, v), sessions in trace:
        ll = w = 0.0
        for gap, bins, early in sessions:
            if gap is not None:
                m, v = _advance(m, v, early[0], early[1], gap, q, horizon)
                gained, gained_weight = predictive_log_likelihood(m, v, bins)
                ll += gained
                w += gained_weight
            m, v = posterior_update(m, v, bins)
        total += ll
        weight += w
    return total, weight


def _latest(slot: DomainState, population: Population, *, score: bool):
    """(static, current level, earlier level, ll, ll weight) after the open session, the state unchanged."""
    static, fast, early, ll, weight = slot.static, slot.fast, slot.early, slot.loglik, slot.loglik_weight
    if slot.open_day is not None:
        static, fast, early, _, gained, gained_weight = _session(slot, population, score=score)
        ll += gained
        weight += gained_weight
    return static, fast, early, ll, weight


def _combine(mean: float, variance: float, observed: float, precision: float) -> tuple[float, float]:
    total = 1.0 / variance + precision
    return (mean / variance + precision * observed) / total, 1.0 / total


def _systematic(slot: DomainState, population: Population) -> float:
    """Sd of the error this domain's estimate shares with every other domain measured through the same channels.

    Answers from a channel other than the exam carry that channel's gap to exam ability (fitted from
    students with both), in proportion to their share of the domain's answers. The gap belongs to the
    channel, not the domain, so it does not average away over the exam.
    """
    if slot.weight_sum <= 0.0:
        return 0.0
    gap = 0.0
    for channel, weight in slot.channel_weight.items():
        link = population.channels.get(channel)
        if link is not None:
            gap += weight / slot.weight_sum * link.gap_sd
    return gap


def _advance(m: float, v: float, anchor_m: float, anchor_v: float, days: float, q: float, horizon: float | None):
    if days <= 0.0:
        return m, v
    if horizon:
        keep = math.exp(-days / horizon)
        m = anchor_m + (m - anchor_m) * keep
        sd = keep * math.sqrt(v) + (1.0 - keep) * math.sqrt(anchor_v)  # the two states move together: add sds
        v = sd * sd
    return m, v + q * days


def estimate_from_state(state: StudentState, population: Population, *, at: float = 0.0,
                        params: ReadinessParams = ReadinessParams(), score: bool = False) -> StudentEstimate:
    """Ability per practised domain at time ``at`` (days), with the student's level for the others: O(domains)."""
    tau_u2 = population.student_sd**2
    tau_e2 = population.domain_sd**2
    marginal = tau_u2 + tau_e2

    # Level: every practised domain's deviation from the population, weighed by its precision.
    now: dict[str, tuple] = {}
    terms: dict[str, tuple[float, float]] = {}
    likelihood_precision: dict[str, float] = {}
    for domain, slot in state.domains.items():
        if not slot.measured:
            continue
        now[domain] = static, _, _, _, _ = _latest(slot, population, score=score)
        mu = slot.prior_mean
        lik_precision = 1.0 / static[1] - 1.0 / marginal
        if lik_precision <= 1e-9:
            continue
        lik_mean = (static[0] / static[1] - mu / marginal) / lik_precision
        likelihood_precision[domain] = lik_precision
        precision = 1.0 / (tau_e2 + 1.0 / lik_precision)
        terms[domain] = (precision, precision * (lik_mean - mu))
    total_precision = sum(p for p, _ in terms.values())
    total_mean = sum(m for _, m in terms.values())
    level_var = 1.0 / (1.0 / tau_u2 + total_precision)
    level = level_var * total_mean

    # Where the level was measured, relative to each domain's exam pool (for the domains that borrow it).
    distance_sum = distance_weight = 0.0
    for domain, slot in state.domains.items():
        if domain in now and slot.weight_sum > 0.0:
            distance_sum += slot.difficulty_sum - slot.weight_sum * _pool_mean(population, domain)
            distance_weight += slot.weight_sum
    evidence_distance = distance_sum / distance_weight if distance_weight > 0 else 0.0

    domains: dict[str, DomainAbility] = {}
    ll = ll_weight = 0.0
    for domain, slot in state.domains.items():
        if domain not in now:  # only answers after the key was shown, weighted zero: not practised
            unpractised = StudentEstimate({}, level, level_var, evidence_distance=evidence_distance).ability(
                domain, population)
            domains[domain] = replace(unpractised, rehearsals=slot.rehearsals)  # no choice shift: it was tried
            continue
        _, (mean, variance), early, gained, weight = now[domain]
        own_p, own_m = terms.get(domain, (0.0, 0.0))
        loo_var = 1.0 / (1.0 / tau_u2 + total_precision - own_p)
        loo_level = loo_var * (total_mean - own_m)
        prior_var = tau_e2 + loo_var
        # The filters started from the population prior N(μ_d, τ_u² + τ_e²); the other domains sharpen it to
        # N(μ_d + level, τ_e² + Var(level)). The difference is a Gaussian pseudo-observation, applied at the
        # domain's last session (to both states), before the time since then is.
        extra = 1.0 / prior_var - 1.0 / marginal
        if extra > 1e-12:
            pseudo = ((slot.prior_mean + loo_level) / prior_var - slot.prior_mean / marginal) / extra
            mean, variance = _combine(mean, variance, pseudo, extra)
            early = _combine(early[0], early[1], pseudo, extra)
        mean, variance = _advance(mean, variance, early[0], early[1], at - slot.last_at, population.drift_per_day,
                                  population.forgetting_days)
        extrapolated = 0.0
        if slot.weight_sum > 0.0:
            # Measured on items far from the exam's (all easy ones, say), the estimate is an extrapolation: its
            # error grows with the distance times the uncertainty of the slope that carries it there.
            distance = slot.difficulty_sum / slot.weight_sum - _pool_mean(population, domain)
            extrapolated = population.extrapolation_sd * distance
            variance += extrapolated * extrapolated
        systematic = _systematic(slot, population)
        variance += systematic * systematic
        ll += gained
        ll_weight += weight
        own_lik = likelihood_precision.get(domain, 0.0)
        domains[domain] = DomainAbility(
            domain=domain, mean=mean, variance=variance, shared=(1.0 / prior_var) / (1.0 / prior_var + own_lik),
            responses=slot.responses, rehearsals=slot.rehearsals, easy=slot.easy,
            days_since=at - slot.last_at, systematic=systematic, extrapolated=extrapolated,
        )
    practised = frozenset(d for d, a in domains.items() if a.responses >= params.min_domain_responses)
    return StudentEstimate(domains=domains, level=level, level_variance=level_var, left_out=dict(state.left_out),
                           predictive=(ll, ll_weight), practised=practised,
                           average_score=state.score_total / state.weight_total if state.weight_total > 0 else None,
                           evidence_distance=evidence_distance)


def estimate_student(
    responses: Iterable[Response],
    population: Population,
    *,
    params: ReadinessParams = ReadinessParams(),
    score: bool = False,
) -> StudentEstimate:
    """Ability per practised domain now, with the student's level for the others (all answers at once).

    ``score=True`` also returns the log-likelihood of each session as predicted before it was seen
    (used to fit the drift and forgetting rates).
    """
    state = absorb(student_state(population), responses, population, params=params, score=score)
    return estimate_from_state(state, population, params=params, score=score)
