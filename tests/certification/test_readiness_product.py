"""Readiness in the product: honest words, thin coverage, rehearsal, the population fit and its validation."""

from __future__ import annotations

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.blueprint_data import CPC_WEIGHTS
from certification.domains import domain_label
from certification.models import (
    AttemptScore,
    ExamAttempt,
    MasteryEvidence,
    Readiness,
    ReadinessFit,
    StudentDomainRollup,
)
from certification.services.blueprints import blueprints_ensure_builtin
from certification.services.readiness import evidence_item_keys, population_current, population_forget
from certification.services.rollups import rollups_refresh
from certification.tasks import fit_readiness_population
from courses.models import CohortMembership
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def builtins(db):
    return {b.slug: b for b in blueprints_ensure_builtin()}


def give(student, domain: str, scores: list[float], *, days_ago: float = 1.0, attempt: int = 1, first_question: int = 0,
         source: str = "exam"):
    """Evidence as exam scoring records it: one row per question reached, named attempt<a>-q<question>."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    MasteryEvidence.objects.bulk_create(
        MasteryEvidence(student=student, domain=domain, source=source,
                        source_id=f"attempt{attempt}-q{domain}{first_question + i}" if source == "exam" else f"{domain}{i}",
                        score=score, occurred_at=at + datetime.timedelta(seconds=i))
        for i, score in enumerate(scores)
    )


def test_a_student_far_from_ready_reads_words_not_zero_percent(student, student_client, builtins):
    for domain in CPC_WEIGHTS:
        give(student, domain, [0.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    rollups_refresh(student_id=student.pk)
    readiness = Readiness.objects.get(student=student, blueprint=builtins["cpc"])
    assert readiness.enough_evidence and readiness.pass_probability < 0.05
    body = student_client.get(reverse("certification:my_dashboard")).content.decode()
    assert "Very unlikely to pass yet (fewer than 1 in 20)" in body
    assert "0% chance" not in body and "0%</span>" not in body


def test_thin_coverage_shows_what_to_practise_instead_of_a_probability(student, student_client, builtins):
    give(student, "em", [1.0] * 40)
    rollups_refresh(student_id=student.pk)
    readiness = Readiness.objects.get(student=student, blueprint=builtins["cpc"])
    assert not readiness.enough_evidence
    heaviest = sorted((d for d in CPC_WEIGHTS if d != "em"), key=lambda d: (-CPC_WEIGHTS[d], d))[:3]
    assert readiness.practise == heaviest
    body = student_client.get(reverse("certification:my_dashboard")).content.decode()
    expected = "Not enough evidence yet: practise " + ", ".join(domain_label(d) for d in heaviest)
    assert expected.replace("&", "&amp;") in body
    assert 'data-testid="phrase-cpc"' not in body and 'data-testid="predicted-cpc"' not in body


def test_an_exam_question_seen_again_is_practice_and_the_page_says_so(student, student_client, builtins):
    give(student, "em", [0.0, 0.0, 1.0], days_ago=10, attempt=1)
    give(student, "em", [1.0, 1.0, 1.0], days_ago=2, attempt=2)  # the same three questions, after their keys
    rollups_refresh(student_id=student.pk)
    rollup = StudentDomainRollup.objects.get(student=student, domain="em")
    assert (rollup.evidence_count, rollup.rehearsal_count) == (3, 3)
    body = student_client.get(reverse("certification:my_dashboard")).content.decode()
    assert "3 answers given after the question's key was shown" in body and "count as practice" in body


def test_a_retaken_quiz_and_a_resubmitted_case_are_recognised_as_the_same_items(student):
    from courses.models import Lesson, Module, Program, QuizAnswer, QuizAttempt
    from courses.models import Question as QuizQuestion

    program = Program.objects.create(slug="p", title="P")
    lesson = Lesson.objects.create(module=Module.objects.create(program=program, slug="m", title="M"), slug="l", title="L")
    question = QuizQuestion.objects.create(lesson=lesson, kind="single", prompt="?", choices=["a", "b", "c"], answer=[0],
                                           domain="em")
    answers = []
    for _ in range(2):
        attempt = QuizAttempt.objects.create(student=student, lesson=lesson, finished_at=timezone.now())
        answers.append(QuizAnswer.objects.create(attempt=attempt, question=question, score=1.0, is_correct=True))
    keys = evidence_item_keys([("quiz", str(a.pk)) for a in answers] + [("exam", "attempt4-q17"), ("flashcard", "card-9")])
    assert keys[("quiz", str(answers[0].pk))] == keys[("quiz", str(answers[1].pk))] == f"quiz:{question.pk}"
    assert keys[("exam", "attempt4-q17")] == "exam:17" and keys[("flashcard", "card-9")] == "flashcard:9"


def _cohort_with_practice_exams(builtins, n: int = 44) -> list:
    """Students of mixed ability with evidence in every CPC domain, then a scored full-length CPC practice exam."""
    rng = random.Random(3)
    students = StudentFactory.create_batch(n)
    cpc = builtins["cpc"]
    start = timezone.now() - datetime.timedelta(days=2)
    rows = []
    for index, s in enumerate(students):
        ability = rng.uniform(0.35, 0.95)
        for domain in CPC_WEIGHTS:
            for q in range(6):
                rows.append(MasteryEvidence(student=s, domain=domain, source="quiz", source_id=f"{s.pk}-{domain}-{q}",
                                            score=float(rng.random() < ability),
                                            occurred_at=start - datetime.timedelta(days=5, minutes=q)))
        correct = sum(rng.random() < ability for _ in range(100))
        attempt = ExamAttempt.objects.create(student=s, blueprint=cpc, status="scored", started_at=start,
                                             deadline=start + datetime.timedelta(hours=4), submitted_at=start)
        AttemptScore.objects.create(attempt=attempt, student=s, blueprint=cpc, correct=correct, total=100,
                                    percent=correct, passed=correct >= 70, by_domain={}, answered=100,
                                    seconds_per_question=100)
    MasteryEvidence.objects.bulk_create(rows)
    return students


def test_the_fit_validates_on_practice_exams_without_seeing_the_evidence_after_them(builtins):
    students = _cohort_with_practice_exams(builtins)
    late = StudentFactory()  # sat the exam with no evidence before it: nothing to predict from
    start = timezone.now() - datetime.timedelta(days=2)
    attempt = ExamAttempt.objects.create(student=late, blueprint=builtins["cpc"], status="scored", started_at=start,
                                         deadline=start, submitted_at=start)
    AttemptScore.objects.create(attempt=attempt, student=late, blueprint=builtins["cpc"], correct=90, total=100,
                                percent=90, passed=True, by_domain={}, answered=100, seconds_per_question=100)
    give(late, "em", [1.0] * 10, days_ago=1)  # recorded after the sitting started

    fit_id = fit_readiness_population.delay(force=True).get()
    fit = ReadinessFit.objects.get(pk=fit_id)
    assert fit.students == len(students) + 1
    assert fit.validation["outcomes"] == len(students)
    overall = fit.validation["rows"][0]
    assert overall["family"] == "all" and overall["n"] == len(students)
    assert {"brier_model", "brier_logistic", "brier_base_rate", "auc_model", "coverage"} <= set(overall)
    assert overall["brier_model"] < 0.25
    assert {row["family"] for row in fit.validation["rows"]} >= {"evidence", "domain coverage", "since practice"}
    assert population_current().fitted["students"] == len(students) + 1  # refreshes now read this fit


def test_the_fit_runs_only_when_evidence_has_accumulated(builtins, student):
    assert fit_readiness_population.delay().get() is None  # no evidence, no fit
    give(student, "em", [1.0] * 5)
    first = fit_readiness_population.delay().get()
    assert first is not None
    assert fit_readiness_population.delay().get() is None  # nothing new since
    population_forget()


def test_the_operations_page_shows_the_channels_and_the_validation(admin_client_, student_client, builtins):
    _cohort_with_practice_exams(builtins)
    fit_readiness_population.delay(force=True).get()
    body = admin_client_.get(reverse("certification:admin_dashboard")).content.decode()
    assert "Readiness model" in body and 'data-testid="readiness-validation"' in body
    assert "Flashcard reviews" in body and "Left out: a flashcard score" in body
    assert "logistic(avg)" in body and "base rate" in body
    assert student_client.get(reverse("certification:admin_dashboard")).status_code == 403


def test_the_operations_page_before_any_fit(admin_client_, builtins):
    body = admin_client_.get(reverse("certification:admin_dashboard")).content.decode()
    assert "The readiness model has not been fitted yet" in body


def test_instructors_see_thin_evidence_apart_from_at_risk(instructor_client, cohort, builtins):
    thin, weak = StudentFactory.create_batch(2)
    CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, student=s) for s in (thin, weak))
    give(thin, "em", [0.0] * 30)
    for domain in CPC_WEIGHTS:
        give(weak, domain, [0.0, 0.0, 1.0, 0.0, 0.0])
    for s in (thin, weak):
        rollups_refresh(student_id=s.pk)
    body = instructor_client.get(reverse("certification:instructor_dashboard") + f"?cohort={cohort.pk}").content.decode()
    assert '<strong data-testid="at-risk-count">1</strong>' in body
    assert "1 more has not practised enough of the exam for a forecast" in body
    assert "fewer than 1 in 20" in body
    export = instructor_client.get(reverse("certification:cohort_export", args=[cohort.pk])).content.decode()
    assert export.splitlines()[0].endswith(",enough_evidence")


@pytest.mark.parametrize("size", [4, 24])
def test_the_operations_page_query_count_does_not_grow(size, admin_client_, builtins, django_assert_max_num_queries):
    students = StudentFactory.create_batch(size)
    for s in students:
        give(s, "em", [1.0, 0.0] * 5)
    fit_readiness_population.delay(force=True).get()
    with django_assert_max_num_queries(13):
        assert admin_client_.get(reverse("certification:admin_dashboard")).status_code == 200


def test_a_refresh_folds_in_new_answers_and_rebuilds_after_a_regrade(student, builtins):
    from django.core.cache import cache

    from certification.services.rollups import _state_cache_key

    cache.delete(_state_cache_key(student.pk))
    for domain in CPC_WEIGHTS:
        give(student, domain, [1.0, 0.0, 1.0, 1.0, 0.0, 1.0], days_ago=3)
    rollups_refresh(student_id=student.pk)
    kept = cache.get(_state_cache_key(student.pk))
    assert kept is not None and kept[2] == 6 * len(CPC_WEIGHTS)  # the state holds every row so far

    def forecast():
        return Readiness.objects.get(student=student, blueprint=builtins["cpc"]).predicted_score

    # New answers: folded into the kept state, the same forecast as a refresh from nothing.
    for domain in CPC_WEIGHTS:
        give(student, domain, [1.0] * 6, days_ago=1, attempt=2)
    rollups_refresh(student_id=student.pk)
    folded = forecast()
    assert cache.get(_state_cache_key(student.pk))[2] == 12 * len(CPC_WEIGHTS)
    cache.delete(_state_cache_key(student.pk))
    rollups_refresh(student_id=student.pk)
    assert forecast() == pytest.approx(folded)

    # A regrade of an old answer changes a row the state already holds: it is rebuilt, not folded.
    old = MasteryEvidence.objects.filter(student=student, score=0.0).order_by("occurred_at")
    MasteryEvidence.objects.filter(pk__in=list(old.values_list("pk", flat=True))).update(score=1.0)
    rollups_refresh(student_id=student.pk)
    regraded = forecast()
    assert regraded > folded
    cache.delete(_state_cache_key(student.pk))
    rollups_refresh(student_id=student.pk)
    assert forecast() == pytest.approx(regraded)


def test_the_validation_script_prints_what_the_outcomes_recalibrated(builtins, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "readiness_validation.py"
    spec = importlib.util.spec_from_file_location("readiness_validation_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    _cohort_with_practice_exams(builtins, n=70)

    assert script.main([]) == 0
    out = capsys.readouterr().out
    assert "70 practice exams from 70 students" in out and "(not stored)" in out
    assert "P(pass) recalibration, enough evidence: slope" in out and "on the logit of the average score" in out
    assert "Score range correction, enough: " in out and "Score range correction, evidence: 50-199 answers" in out
    assert " range recal." in out
    assert not ReadinessFit.objects.exists()  # printed, not stored
