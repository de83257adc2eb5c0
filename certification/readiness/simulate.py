"""Simulated learners from several generating processes, to check the readiness model (pure).

Each process builds a world (an exam bank per domain, lesson-quiz questions, chart cases and
flashcards, each with its own true link to ability) and learners who practise in it. At each
checkpoint the platform's view is rebuilt from what it would know — everyone's evidence so far
— the population is fitted from it, and every learner gets a forecast; then the learner sits a
full-length exam drawn by the blueprint's quotas, which is the outcome. The sitting uses a new
form of the exam: questions drawn from the same distribution as the bank that no learner has
practised. The processes differ in what they assume, so the model is tested outside its own
assumptions:

- ``model``: the model's own world: Rasch items with the nominal guessing floor, every channel on
  the exam scale, ability wandering as a random walk, domains chosen by exam weight.
- ``mixed``: items of mixed difficulty and discrimination with guessing on multiple choice; quiz,
  case and flashcard channels with their own links (flashcards are optimistic self-ratings);
  learning that levels off; forgetting; favourite domains; some retakes after the key was shown.
- ``easy-only``: as ``mixed``, but learners practise only the easiest third of each pool.
- ``strongest-only``: as ``mixed``, but learners practise only their three strongest domains.
- ``forgetting``: as ``mixed``, but every learner stops studying at some point and many sit the
  exam one to five months later.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .ability import ReadinessParams, Response, estimate_student
from .exam import predict_alternatives, predict_exam
from .fitting import ItemInfo, fit_population
from .irt import GUESS_BY_KIND
from .validation import Outcome, segments_for

FLASHCARD_SCORES = (0.0, 0.6, 0.85, 1.0)  # the platform's rating scores (Again, Hard, Good, Easy)


def quotas(weights: Mapping[str, float], total: int) -> dict[str, int]:
    """Largest-remainder apportionment of ``total`` questions to domains by weight."""
    weight_sum = sum(weights.values())
    raw = {d: total * w / weight_sum for d, w in weights.items()}
    result = {d: int(math.floor(v)) for d, v in raw.items()}
    remaining = total - sum(result.values())
    for d in sorted(raw, key=lambda d: (raw[d] - result[d], d), reverse=True)[:remaining]:
        result[d] += 1
    return result


@dataclass(frozen=True)
class Process:
    name: str
    description: str
    rasch: bool = False
    learning: str = "levels-off"  # or "random-walk"
    forgetting: bool = True
    domain_choice: str = "favourites"  # "blueprint", "favourites" or "strongest"
    item_choice: str = "any"  # or "easy"
    channel_mix: tuple[float, float, float, float] = (0.3, 0.35, 0.15, 0.2)  # exam drill, quiz, case, flashcard
    rehearsal: float = 0.1  # share of sessions that redo questions already seen (after their key was shown)
    stops: bool = False  # learners stop studying at a random day and do not come back
    days: int = 150
    checkpoints: tuple[int, ...] = (50, 100, 150)


PROCESSES: dict[str, Process] = {
    p.name: p
    for p in (
        Process("model", "the model's own assumptions: Rasch items, nominal guessing, random-walk ability",
                rasch=True, learning="random-walk", forgetting=False, domain_choice="blueprint",
                channel_mix=(0.5, 0.5, 0.0, 0.0), rehearsal=0.0),
        Process("mixed", "mixed difficulty and guessing, four channels, learning that levels off, forgetting, "
                "favourite domains, retakes"),
        Process("easy-only", "as mixed, but learners practise only the easiest third of every pool",
                item_choice="easy"),
        Process("strongest-only", "as mixed, but learners practise only their three strongest domains",
                domain_choice="strongest"),
        Process("forgetting", "as mixed, but learners stop studying and many sit the exam months later",
                stops=True, days=200, checkpoints=(100, 200)),
    )
}


@dataclass(frozen=True)
class _Item:
    key: str
    b: float
    a: float
    c: float  # true guessing floor
    nominal: float  # the floor the platform assumes from the question kind
    label: int
    lines: int = 1  # chart cases: lines graded


def _label(rng: random.Random, rank: float) -> int:
    """Author difficulty: the true tercile, wrong one time in four."""
    true = 1 if rank < 1 / 3 else 2 if rank < 2 / 3 else 3
    return true if rng.random() < 0.75 else rng.choice((1, 2, 3))


def _world(rng: random.Random, domains: Sequence[str], process: Process):
    world = {}
    for d in domains:
        shift = rng.gauss(0.0, 0.45)
        pools = {}
        for channel, size, centre, spread in (("exam", 30, 0.0, 1.0), ("form", 30, 0.0, 1.0), ("quiz", 24, -0.8, 0.9),
                                               ("case", 8, 0.3, 0.6), ("flashcard", 30, -0.5, 0.8)):
            raw = []
            for k in range(size):
                b = shift + centre + rng.gauss(0.0, spread)
                if channel in ("exam", "form", "quiz"):
                    kind = rng.choices(("single", "multiple", "code"), weights=(0.7, 0.15, 0.15))[0]
                    nominal = GUESS_BY_KIND[kind]
                else:
                    nominal = 0.0
                if process.rasch:
                    a, c = 1.0, nominal
                elif channel == "case":
                    a, c = 0.7, 0.0
                elif channel == "flashcard":
                    a, c = 0.5, 0.0
                else:
                    a = math.exp(rng.gauss(0.0, 0.3))
                    c = min(0.35, max(0.0, nominal + rng.uniform(-0.08, 0.08))) if nominal else 0.0
                raw.append([f"{channel}:{d}:{k}", b, a, c, nominal, 0, rng.randint(3, 6) if channel == "case" else 1])
            order = sorted(range(size), key=lambda i: raw[i][1])
            for rank, i in enumerate(order):
                raw[i][5] = _label(rng, rank / size)
            pools[channel] = [_Item(*row) for row in raw]
        world[d] = pools
    return world


def _p(item: _Item, theta: float) -> float:
    return item.c + (1.0 - item.c) / (1.0 + math.exp(-item.a * (theta - item.b)))


@dataclass
class _Learner:
    index: int
    base: float
    offsets: dict[str, float]
    history: list  # (time, domain, channel, item key, score, weight)
    seen: set
    states: dict  # checkpoint -> {domain: theta}


def _learners(rng: random.Random, world, weights: Mapping[str, float], process: Process, count: int) -> list[_Learner]:
    domains = sorted(weights)
    checkpoints = set(process.checkpoints)
    people = []
    for index in range(count):
        base = rng.gauss(0.1, 0.9)
        offsets = {d: rng.gauss(0.0, 0.55) for d in domains}
        gain = {d: 0.0 for d in domains}
        walk = {d: 0.0 for d in domains}
        ceiling = rng.uniform(0.3, 2.0)
        eta = rng.uniform(0.03, 0.15)
        half_life = rng.uniform(20.0, 120.0)
        rate = rng.uniform(0.2, 0.9)
        start = rng.uniform(0.0, 30.0)
        stop = rng.uniform(30.0, process.days - 10.0) if process.stops else math.inf
        mix = [max(0.0, m * rng.uniform(0.3, 1.7)) for m in process.channel_mix]
        if process.domain_choice == "strongest":
            favourites = sorted(domains, key=lambda d: -offsets[d])[:3]
            focus = 1.0
        elif process.domain_choice == "favourites":
            favourites = rng.sample(domains, k=max(1, len(domains) // 3))
            focus = rng.uniform(0.0, 0.8)
        else:
            favourites, focus = domains, 0.0
        learner = _Learner(index, base, offsets, [], set(), {})

        def theta(d: str) -> float:
            return base + offsets[d] + gain[d] + walk[d]

        for day in range(process.days + 1):
            if process.forgetting:
                for d in domains:
                    gain[d] *= 0.5 ** (1.0 / half_life)
            if process.learning == "random-walk":
                for d in domains:
                    walk[d] += rng.gauss(0.0, math.sqrt(0.004))
            if day in checkpoints:
                learner.states[day] = {d: theta(d) for d in domains}
            if day < start or day >= stop:
                continue
            sessions = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(sessions):
                if rng.random() < focus:
                    domain = rng.choice(favourites)
                else:
                    domain = rng.choices(domains, weights=[weights[d] for d in domains])[0]
                channel = rng.choices(("exam", "quiz", "case", "flashcard"), weights=mix)[0]
                _session(rng, learner, world[domain][channel], domain, channel, day + rng.random(), theta(domain),
                         process)
                if process.learning == "levels-off" and channel != "flashcard":
                    gain[domain] += eta * (ceiling - gain[domain])
        people.append(learner)
    return people


def _session(rng, learner: _Learner, pool: list[_Item], domain: str, channel: str, moment: float, theta: float,
             process: Process) -> None:
    if process.item_choice == "easy":
        pool = sorted(pool, key=lambda it: it.b)[: max(2, len(pool) // 3)]
    size = {"exam": 10, "quiz": 5, "case": 1, "flashcard": 12}[channel]
    seen = [it for it in pool if it.key in learner.seen]
    unseen = [it for it in pool if it.key not in learner.seen]
    if channel != "flashcard" and seen and rng.random() < process.rehearsal:
        chosen = rng.sample(seen, min(size, len(seen)))
    else:
        chosen = rng.sample(unseen, min(size, len(unseen)))
        if len(chosen) < size:
            chosen += rng.sample(seen, min(size - len(chosen), len(seen)))
    for item in chosen:
        p = _p(item, theta)
        if item.key in learner.seen and channel != "flashcard":
            p = 1.0 - 0.35 * (1.0 - p)  # the key was shown: partly remembered
        if channel == "case":
            score = sum(1 for _ in range(item.lines) if rng.random() < p) / item.lines
            weight = 1.0
        elif channel == "flashcard":
            felt = p + 0.25 + rng.gauss(0.0, 0.2)  # self-ratings run optimistic
            score = FLASHCARD_SCORES[0 if felt < 0.45 else 1 if felt < 0.7 else 2 if felt < 0.95 else 3]
            weight = 0.25
        else:
            score = 1.0 if rng.random() < p else 0.0
            weight = 1.0
        learner.history.append((moment, domain, channel, item.key, score, weight))
        learner.seen.add(item.key)


@dataclass(frozen=True)
class ProcessResult:
    process: Process
    outcomes: list[Outcome]
    fits: list[dict]  # per checkpoint: fitted time and prior parameters


def run_process(
    process: Process,
    *,
    weights: Mapping[str, float],
    learners: int = 200,
    question_count: int = 100,
    pass_mark: float = 0.7,
    seed: int = 2026,
    params: ReadinessParams = ReadinessParams(),
) -> ProcessResult:
    rng = random.Random(f"{seed}:{process.name}")
    domains = sorted(weights)
    world = _world(rng, domains, process)
    people = _learners(rng, world, weights, process, learners)
    plan = quotas(weights, question_count)
    items = {
        it.key: ItemInfo(channel, d, it.nominal, it.label if channel == "exam" else None)
        for d in domains for channel, pool in world[d].items() if channel != "form" for it in pool
    }
    pool_items = {d: [it.key for it in world[d]["exam"]] for d in domains}
    outcomes: list[Outcome] = []
    fits = []
    for checkpoint in process.checkpoints:
        histories = {}
        for person in people:
            latest: dict[str, Response] = {}
            responses = []
            for moment, d, channel, key, score, weight in person.history:
                if moment >= checkpoint:
                    continue
                r = Response(d, channel, key, score, checkpoint - moment, weight)
                if channel == "flashcard":
                    latest[key] = r  # the platform keeps the latest review of a card
                else:
                    responses.append(r)
            histories[person.index] = responses + list(latest.values())
        population = fit_population(histories, items, pool_items=pool_items, seed=checkpoint)
        fits.append({"checkpoint": checkpoint, "drift_per_day": population.drift_per_day,
                     "forgetting_days": population.forgetting_days, "student_sd": population.student_sd,
                     "domain_sd": population.domain_sd, "extrapolation_sd": population.extrapolation_sd,
                     "links": {k: (round(v.discrimination, 2), v.used, round(v.gap_sd, 3))
                               for k, v in population.channels.items()}})
        sittings = {}
        for person in people:
            if not histories[person.index]:
                continue
            truth = person.states[checkpoint]
            correct = 0
            expected = 0.0
            for d, q in plan.items():
                form = world[d]["form"]  # questions no learner has practised: a new form of the exam
                for it in rng.sample(form, q):
                    correct += rng.random() < _p(it, truth[d])
                expected += q / question_count * sum(_p(it, truth[d]) for it in form) / len(form)
            sittings[person.index] = (correct / question_count, expected)
        for person in people:
            if person.index not in sittings:
                continue
            history = histories[person.index]
            score, expected = sittings[person.index]
            estimate = estimate_student(history, population, params=params)
            prediction = predict_exam(estimate, population, weights, question_count=question_count,
                                      pass_mark=pass_mark, params=params)
            alternatives = predict_alternatives(estimate, population, weights, question_count=question_count,
                                                pass_mark=pass_mark, params=params)
            total_weight = sum(r.weight for r in history)
            average = sum(r.score * r.weight for r in history) / total_weight
            outcomes.append(Outcome(
                probability=prediction.pass_probability, predicted_score=prediction.predicted_score,
                lower=prediction.lower, upper=prediction.upper, passed=score >= pass_mark, score=score,
                average_score=average,
                segments=segments_for(responses=estimate.responses, easy_share=estimate.easy_share,
                                      coverage=prediction.coverage, days_since=estimate.days_since_practice),
                group=person.index % 2, true_score=expected, ability_lower=prediction.ability_lower,
                ability_upper=prediction.ability_upper, enough_evidence=prediction.enough_evidence,
                evidence_group=prediction.evidence_group,
                score_sd=prediction.score_sd, alternatives=alternatives, extrapolation=prediction.extrapolation,
            ))
    return ProcessResult(process, outcomes, fits)

