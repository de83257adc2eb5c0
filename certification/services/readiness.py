"""The readiness population: what every refresh needs to know about items, channels, prior and time.

``readiness_fit()`` (a Celery task, hourly and when responses have accumulated) fits it from all
students' evidence with the pure model, validates it on every full-length practice exam (each
predicted from the evidence recorded before it started, by a fit that never saw that student),
recalibrates from those outcomes when there are enough, and stores the result as a
``ReadinessFit``. ``population_current()`` reads the newest fit (cached), or, before the first
fit, a population built from the question bank's author difficulties.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import FieldError
from django.db import connection
from django.db.models import Count

from .. import clock
from ..models import AttemptScore, MasteryEvidence, Question, QuestionKind, ReadinessFit
from ..readiness import ItemInfo, Population, ReadinessParams, Response, estimate_student, fit_population, predict_exam
from ..readiness.irt import GUESS_BY_KIND, LABEL_DIFFICULTY, guess_for_choices
from ..readiness.population import CASE, EXAM, FLASHCARD, QUIZ, pool_summary
from ..readiness.exam import predict_alternatives
from ..readiness.validation import Outcome, recalibration_from_outcomes, report, segments_for

logger = logging.getLogger(__name__)

POPULATION_CACHE_KEY = "certification:readiness-population:v2"
POPULATION_CACHE_SECONDS = 60 * 60
REFIT_NEW_RESPONSES = 500  # refit when this many evidence rows (or 10%) arrived since the last fit
FULL_LENGTH_MINIMUM = 40  # a practice exam with at least this many questions counts as full length
PARAMS = ReadinessParams()

Row = tuple  # (domain, source, item key, score, weight, occurred_at)


def population_cache_key() -> str:
    """Per database: databases sharing one cache never share a population."""
    return f"{POPULATION_CACHE_KEY}:{connection.settings_dict['NAME']}"


def population_current() -> Population:
    """The newest fit (cached for an hour), or the question bank's priors before the first fit."""
    key = population_cache_key()
    cached = cache.get(key)
    if cached is not None:
        return cached
    latest = ReadinessFit.objects.only("population").order_by("-created_at").first()
    population = Population.from_dict(latest.population) if latest is not None else _bank_population()
    cache.set(key, population, POPULATION_CACHE_SECONDS)
    return population


def population_forget() -> None:
    cache.delete(population_cache_key())


# --- items -------------------------------------------------------------------------------------

def _bank_items() -> dict[str, ItemInfo]:
    """Exam questions with their guessing floor and author difficulty (the prior for new items)."""
    items: dict[str, ItemInfo] = {}
    rows = Question.objects.filter(is_active=True).values_list("pk", "kind", "domain", "difficulty")
    choice_counts = _choice_counts()
    for pk, kind, domain, difficulty in rows:
        if kind == QuestionKind.SINGLE:
            guess = guess_for_choices(choice_counts.get(pk, 4))
        else:
            guess = GUESS_BY_KIND.get(kind, 0.0)
        items[f"{EXAM}:{pk}"] = ItemInfo(EXAM, domain, guess, difficulty)
    return items


def _choice_counts() -> dict[int, int]:
    return dict(
        Question.objects.filter(is_active=True, kind=QuestionKind.SINGLE)
        .annotate(n=Count("choices")).values_list("pk", "n")
    )


def _quiz_items() -> dict[str, ItemInfo]:
    """Lesson-quiz questions (loose link to the courses app): guessing floor from their options."""
    try:
        QuizQuestion = apps.get_model("courses", "Question")
        rows = list(QuizQuestion.objects.values_list("pk", "kind", "domain", "choices"))
    except (LookupError, FieldError):
        return {}
    items = {}
    for pk, kind, domain, choices in rows:
        if kind == "single":
            guess = guess_for_choices(len(choices or []))
        else:
            guess = GUESS_BY_KIND.get(kind, 0.0)
        items[f"{QUIZ}:{pk}"] = ItemInfo(QUIZ, domain, guess)
    return items


def _bank_population() -> Population:
    """Before any fit: every exam question at its author difficulty; default links, prior and time."""
    items = _bank_items()
    pools: dict[str, list[tuple[float, float]]] = {}
    fitted_items = {}
    for key, info in items.items():
        b = LABEL_DIFFICULTY.get(info.label, 0.0)
        fitted_items[key] = (b, info.guess)
        pools.setdefault(info.domain, []).append((b, info.guess))
    version = hashlib.sha256(repr(sorted(fitted_items.items())).encode()).hexdigest()[:16]
    return Population(items=fitted_items, pools={d: pool_summary(v) for d, v in pools.items()},
                      fitted={"note": "No fit yet: author difficulties and default rates.",
                              "version": f"bank-{version}"})


def evidence_item_keys(rows: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(source, source_id) -> item key, so a retake of the same question or case is recognised.

    Exam evidence names its question in the source id; quiz evidence names the answer and chart-case
    evidence the submission, so their question and case come from those apps (loose links, one
    query each). Anything else is its own item.
    """
    rows = set(rows)
    keys: dict[tuple[str, str], str] = {}
    quiz_answers = [source_id for source, source_id in rows if source == QUIZ and source_id.isdigit()]
    submissions = [source_id for source, source_id in rows if source == CASE and source_id.isdigit()]
    quiz_question = _lookup("courses", "QuizAnswer", quiz_answers, "question_id")
    case_of = _lookup("exercises", "Submission", submissions, "case_id")
    for source, source_id in rows:
        if source == EXAM and "-q" in source_id:
            key = f"{EXAM}:{source_id.rsplit('-q', 1)[1]}"
        elif source == QUIZ and source_id in quiz_question:
            key = f"{QUIZ}:{quiz_question[source_id]}"
        elif source == CASE and source_id in case_of:
            key = f"{CASE}:{case_of[source_id]}"
        elif source == FLASHCARD:
            key = f"{FLASHCARD}:{source_id.removeprefix('card-')}"
        else:
            key = f"{source}:{source_id}"
        keys[(source, source_id)] = key
    return keys


def _lookup(app: str, model: str, ids: Sequence[str], field: str) -> dict[str, int]:
    if not ids:
        return {}
    try:
        Model = apps.get_model(app, model)
    except LookupError:
        return {}
    found: dict[str, int] = {}
    chunk = 900  # stay under SQLite's bound-parameter limit
    for start in range(0, len(ids), chunk):
        part = [int(i) for i in ids[start:start + chunk]]
        found.update({str(pk): value for pk, value in Model.objects.filter(pk__in=part).values_list("pk", field)})
    return found


def responses_at(at: datetime.datetime, rows: Iterable[Row]) -> list[Response]:
    """Evidence rows recorded before ``at`` as model responses (ages in days at ``at``)."""
    return [
        Response(domain, source, item, score, (at - occurred_at).total_seconds() / 86400.0, weight)
        for domain, source, item, score, weight, occurred_at in rows
        if occurred_at <= at
    ]


def _all_rows() -> dict[int, list[Row]]:
    raw = list(MasteryEvidence.objects.order_by().values_list(
        "student_id", "domain", "source", "source_id", "score", "weight", "occurred_at"))
    keys = evidence_item_keys((source, source_id) for _, _, source, source_id, *_ in raw)
    rows: dict[int, list[Row]] = {}
    for student_id, domain, source, source_id, score, weight, occurred_at in raw:
        rows.setdefault(student_id, []).append((domain, source, keys[(source, source_id)], score, weight, occurred_at))
    return rows


def _pool_items(items: dict[str, ItemInfo]) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    for key, info in items.items():
        if info.channel == EXAM:
            pools.setdefault(info.domain, []).append(key)
    return pools


# --- fitting -----------------------------------------------------------------------------------

def readiness_fit_due() -> bool:
    """A refit is due when enough evidence has arrived since the last fit (or there is none yet)."""
    latest = ReadinessFit.objects.order_by("-created_at").values_list("responses", "created_at").first()
    if latest is None:
        return MasteryEvidence.objects.exists()
    arrived = MasteryEvidence.objects.filter(occurred_at__gt=latest[1]).count()
    return arrived >= min(REFIT_NEW_RESPONSES, max(50, latest[0] // 10))


def readiness_fit(*, validate: bool = True, seed: int = 0, store: bool = True) -> ReadinessFit:
    """Fit the population from everyone's evidence, validate it on practice exams, recalibrate, store it
    (``store=False``: the same, without saving it or changing what refreshes use)."""
    started = time.monotonic()
    now = clock.now()
    rows = _all_rows()
    items = {**_bank_items(), **_quiz_items()}
    pool_items = _pool_items(items)
    histories = {student_id: responses_at(now, student_rows) for student_id, student_rows in rows.items()}
    population = fit_population(histories, items, pool_items=pool_items, seed=seed)
    # Kept refresh states are valid for one population: a new fit is a new version.
    population = replace(population, fitted={**population.fitted, "version": now.isoformat()})
    validation: dict = {}
    if validate:
        outcomes = _validation_outcomes(rows, items, pool_items, full=population, seed=seed)
        validation = _validation_summary(outcomes)
        avoidance, probability, score = recalibration_from_outcomes(outcomes)
        population = population.with_recalibration(probability, score, avoidance)
    fit = ReadinessFit(
        created_at=now, students=len(histories), responses=int(population.fitted.get("responses", 0)),
        population=population.to_dict(), validation=validation, seconds=time.monotonic() - started,
    )
    if not store:
        return fit
    fit.save()
    cache.set(population_cache_key(), population, POPULATION_CACHE_SECONDS)
    logger.info("Readiness population fitted on %s students in %.1f s", len(histories), fit.seconds)
    return fit


# --- validation inside the product -------------------------------------------------------------

def _full_length_sittings() -> list[dict]:
    """Scored full-length practice exams: built-in or custom blueprints of at least FULL_LENGTH_MINIMUM questions."""
    scores = (
        AttemptScore.objects.filter(blueprint__question_count__gte=FULL_LENGTH_MINIMUM)
        .exclude(blueprint__credential="DRILL")
        .select_related("attempt", "blueprint")
        .prefetch_related("blueprint__domains")
        .order_by("attempt__started_at")
    )
    return [
        {"student_id": s.student_id, "started_at": s.attempt.started_at, "score": s.percent / 100.0,
         "passed": s.passed, "question_count": s.blueprint.question_count,
         "pass_mark": s.blueprint.pass_percent / 100.0, "weights": s.blueprint.domain_weights()}
        for s in scores
        if s.total >= s.blueprint.question_count
    ]


def _validation_outcomes(rows: dict[int, list[Row]], items, pool_items, *, full: Population,
                         seed: int) -> list[Outcome]:
    """Each sitting forecast from the evidence recorded before it started, by a fit on the other fold of students."""
    sittings = _full_length_sittings()
    if not sittings:
        return []
    now = clock.now()
    folds: dict[int, Population] = {}
    for fold in (0, 1):
        others = {sid: responses_at(now, r) for sid, r in rows.items() if sid % 2 != fold}
        # A fold too small to fit falls back to the full fit (stated on the operations page).
        folds[fold] = fit_population(others, items, pool_items=pool_items, seed=seed) if len(others) >= 20 else full
    outcomes = []
    for sitting in sittings:
        student_rows = rows.get(sitting["student_id"], [])
        before = [r for r in student_rows if r[5] < sitting["started_at"]]
        if not before:
            continue
        population = folds[sitting["student_id"] % 2]
        responses = responses_at(sitting["started_at"], before)
        estimate = estimate_student(responses, population, params=PARAMS)
        prediction = predict_exam(estimate, population, sitting["weights"], question_count=sitting["question_count"],
                                  pass_mark=sitting["pass_mark"], params=PARAMS)
        alternatives = predict_alternatives(estimate, population, sitting["weights"],
                                            question_count=sitting["question_count"], pass_mark=sitting["pass_mark"],
                                            params=PARAMS)
        total_weight = sum(r[4] for r in before) or 1.0
        outcomes.append(Outcome(
            probability=prediction.model_probability, predicted_score=prediction.predicted_score,
            lower=prediction.lower, upper=prediction.upper, passed=bool(sitting["passed"]), score=sitting["score"],
            average_score=sum(r[3] * r[4] for r in before) / total_weight,
            segments=segments_for(responses=estimate.responses, easy_share=estimate.easy_share,
                                  coverage=prediction.coverage, days_since=estimate.days_since_practice),
            group=sitting["student_id"], enough_evidence=prediction.enough_evidence,
            evidence_group=prediction.evidence_group, score_sd=prediction.score_sd, alternatives=alternatives,
            extrapolation=prediction.extrapolation,
        ))
    return outcomes


def _validation_summary(outcomes: list[Outcome]) -> dict:
    if not outcomes:
        return {"outcomes": 0, "rows": [], "note": "No full-length practice exam has been scored yet."}
    rows = [asdict(row) for row in report(outcomes)]
    return {
        "outcomes": len(outcomes),
        "students": len({o.group for o in outcomes}),
        "pass_rate": sum(o.passed for o in outcomes) / len(outcomes),
        "rows": rows,
        "recalibrated": dict(zip(("avoidance", "probability", "score"), recalibration_from_outcomes(outcomes))),
    }


def readiness_fit_latest() -> ReadinessFit | None:
    return ReadinessFit.objects.order_by("-created_at").first()

