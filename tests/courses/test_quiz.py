"""Answering quizzes over HTTP: feedback, code validation, evidence, completion and the hidden key."""

from __future__ import annotations

import pytest

from certification.models import MasteryEvidence
from courses.choice_order import choice_id
from courses.models import LessonProgress, QuizAnswer, QuizAttempt

from .conftest import htmx_post


def _answer(client, question, data):
    return htmx_post(client, f"/courses/questions/{question.pk}/answer/", data)


def _ids(question, *texts) -> list[str]:
    """The ids the page posts for these options (their place on the page is shuffled)."""
    assert all(text in question.choices for text in texts)
    return [choice_id(text) for text in texts]


ALL_DIGESTIVE = ("gastr/o", "hepat/o", "col/o")


def test_the_key_and_explanations_stay_hidden_until_the_student_answers(student_client, word_parts_lesson):
    response = student_client.get(f"/courses/lessons/{word_parts_lesson.pk}/")
    assert response.status_code == 200
    assert b"SENTINEL-EXPLANATION-ITIS" not in response.content
    api = student_client.get(f"/api/v1/courses/lessons/{word_parts_lesson.pk}/")
    assert api.status_code == 200
    assert "SENTINEL" not in api.content.decode()
    assert "answer" not in api.json()["questions"][0]


def test_single_answer_gets_immediate_feedback_and_records_evidence(student_client, student, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=0)
    response = _answer(student_client, question, {"choice": _ids(question, "Inflammation")})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Correct" in body and "SENTINEL-EXPLANATION-ITIS" in body
    answer = QuizAnswer.objects.get(question=question)
    assert answer.is_correct and answer.score == 1.0
    evidence = MasteryEvidence.objects.get(student=student, source="quiz")
    assert evidence.source_id == str(answer.pk)
    assert evidence.domain == "medical-terminology" and evidence.score == 1.0


def test_wrong_answer_shows_the_right_one(student_client, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=0)
    body = _answer(student_client, question, {"choice": _ids(question, "Enlargement")}).content.decode()
    assert "Not quite" in body and "Inflammation" in body


def test_multiple_response_partial_credit(student_client, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=1)
    body = _answer(student_client, question, {"choice": _ids(question, "gastr/o", "hepat/o")}).content.decode()
    assert "Partly right" in body
    assert QuizAnswer.objects.get(question=question).score == pytest.approx(2 / 3, abs=1e-3)


def test_term_building_uses_part_indices_in_order(student_client, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=2)
    gastr, itis = question.parts.index("gastr/o"), question.parts.index("-itis")
    body = _answer(student_client, question, {"part": [str(gastr), str(itis)]}).content.decode()
    assert "Correct" in body and "gastritis" in body


def test_a_bad_response_is_a_message_not_an_answer(student_client, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=0)
    body = _answer(student_client, question, {}).content.decode()
    assert "Choose one answer" in body
    term = word_parts_lesson.questions.get(position=2)
    assert "Use only the parts offered" in _answer(student_client, term, {"part": ["99"]}).content.decode()
    assert not QuizAnswer.objects.exists()


def test_code_entry_checks_the_current_release(student_client, diabetes_lesson, icd_release):
    question = diabetes_lesson.questions.get()
    unknown = _answer(student_client, question, {"code": "E11.99"}).content.decode()
    assert "E11.99 is not a code in ICD-10-CM FY2026" in unknown
    badly_formed = _answer(student_client, question, {"code": "11.9"}).content.decode()
    assert "not a valid code format" in badly_formed
    assert not QuizAnswer.objects.exists()
    correct = _answer(student_client, question, {"code": "e119"}).content.decode()
    assert "Correct" in correct and "E11.9" in correct
    assert QuizAnswer.objects.get().response == ["E11.9"]


def test_a_header_code_is_graded_wrong_with_an_explanation(student_client, diabetes_lesson, icd_release):
    question = diabetes_lesson.questions.get()
    body = _answer(student_client, question, {"code": "E11"}).content.decode()
    assert "Not quite" in body and "not a billable code" in body


def test_without_a_loaded_release_codes_are_checked_against_the_key_only(student_client, diabetes_lesson):
    question = diabetes_lesson.questions.get()
    body = _answer(student_client, question, {"code": "E11.9"}).content.decode()
    assert "Correct" in body


@pytest.fixture
def pcs_question(diabetes_lesson):
    from courses.models import Question

    return Question.objects.create(
        lesson=diabetes_lesson, position=5, kind="code", system="icd10pcs", domain="icd10pcs",
        prompt="Laparoscopic appendectomy, the whole appendix removed.", answer=["0DTJ4ZZ"],
        explanation="Resection of the appendix, percutaneous endoscopic approach.",
    )


@pytest.mark.parametrize("partial, unknown_is_refused", [(False, True), (True, False)])
def test_icd10pcs_code_entry_refuses_an_unknown_code_only_when_the_release_is_complete(
        student_client, pcs_question, partial, unknown_is_refused):
    from codesets.models import CodeSystem
    from tests.factories import CodeFactory, ReleaseFactory

    release = ReleaseFactory(system=CodeSystem.ICD10PCS, label="FY2026", is_current=True,
                             source_files={"complete": False} if partial else {})
    CodeFactory(release=release, code="0DTJ4ZZ", display_code="0DTJ4ZZ")
    assert "Seven characters" in student_client.get(f"/courses/lessons/{pcs_question.lesson_id}/").content.decode()

    badly_formed = _answer(student_client, pcs_question, {"code": "0DTJ4Z"}).content.decode()
    assert "an ICD-10-PCS code is seven characters" in badly_formed
    unknown = _answer(student_client, pcs_question, {"code": "0DTJ0ZZ"}).content.decode()
    assert ("0DTJ0ZZ is not a code in ICD-10-PCS FY2026" in unknown) is unknown_is_refused
    if not unknown_is_refused:
        assert "Not quite" in unknown and "0DTJ4ZZ" in unknown


def test_icd10pcs_code_entry_accepts_the_key_in_any_case(student_client, pcs_question):
    body = _answer(student_client, pcs_question, {"code": " 0dtj4zz "}).content.decode()
    assert "Correct" in body
    assert QuizAnswer.objects.get(question=pcs_question).response == ["0DTJ4ZZ"]


def test_an_icd10pcs_build_question_names_its_parts_characters(student_client, diabetes_lesson):
    from courses.models import Question

    Question.objects.create(
        lesson=diabetes_lesson, position=6, kind="term_build", domain="icd10pcs", prompt="Build 0DTJ4ZZ axis by axis.",
        parts=["0 Medical and Surgical", "D Gastrointestinal System", "T Resection", "B Excision"],
        answer=["0 Medical and Surgical", "D Gastrointestinal System", "T Resection"], explanation="Resection.",
    )
    page = student_client.get(f"/courses/lessons/{diabetes_lesson.pk}/").content.decode()
    assert "Characters, one per axis" in page and "Your code" in page


def test_finishing_the_quiz_above_the_pass_mark_completes_the_lesson(student_client, student, word_parts_lesson):
    q1, q2, q3 = word_parts_lesson.questions.order_by("position")
    _answer(student_client, q1, {"choice": _ids(q1, "Inflammation")})
    _answer(student_client, q2, {"choice": _ids(q2, *ALL_DIGESTIVE)})
    last = _answer(student_client, q3, {"part": [str(q3.parts.index("gastr/o")), str(q3.parts.index("-itis"))]})
    assert 'id="quiz-summary"' in last.content.decode() and "Quiz passed" in last.content.decode()
    attempt = QuizAttempt.objects.get(student=student)
    assert attempt.finished_at is not None and attempt.score == 1.0
    progress = LessonProgress.objects.get(student=student, lesson=word_parts_lesson)
    assert progress.completed_at is not None and progress.best_score == 1.0


def test_a_low_score_keeps_the_lesson_open_and_a_retake_improves_the_best_score(student_client, student, word_parts_lesson):
    q1, q2, q3 = word_parts_lesson.questions.order_by("position")
    _answer(student_client, q1, {"choice": _ids(q1, "Enlargement")})
    _answer(student_client, q2, {"choice": _ids(q2, "oste/o")})
    _answer(student_client, q3, {"part": [str(q3.parts.index("-itis"))]})
    progress = LessonProgress.objects.get(student=student, lesson=word_parts_lesson)
    assert progress.completed_at is None and progress.best_score == 0
    page = student_client.get(f"/courses/lessons/{word_parts_lesson.pk}/").content.decode()
    assert "Try the quiz again" in page
    assert 'name="choice"' not in page  # the last attempt is shown with feedback
    retake = student_client.get(f"/courses/lessons/{word_parts_lesson.pk}/?retake=1").content.decode()
    assert 'name="choice"' in retake
    _answer(student_client, q1, {"choice": _ids(q1, "Inflammation")})
    _answer(student_client, q2, {"choice": _ids(q2, *ALL_DIGESTIVE)})
    _answer(student_client, q3, {"part": [str(q3.parts.index("gastr/o")), str(q3.parts.index("-itis"))]})
    assert QuizAttempt.objects.filter(student=student).count() == 2
    progress.refresh_from_db()
    assert progress.completed_at is not None and progress.best_score == 1.0


def test_answering_twice_in_one_attempt_keeps_the_first_answer(student_client, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=0)
    _answer(student_client, question, {"choice": _ids(question, "Enlargement")})
    second = _answer(student_client, question, {"choice": _ids(question, "Inflammation")}).content.decode()
    assert "Not quite" in second
    assert QuizAnswer.objects.count() == 1


def test_instructors_preview_without_recording(instructor_client, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=0)
    body = _answer(instructor_client, question, {"choice": _ids(question, "Inflammation")}).content.decode()
    assert "preview mode" in body
    assert not QuizAnswer.objects.exists()


def test_answer_api_validates_and_grades(student_client, diabetes_lesson, icd_release):
    question = diabetes_lesson.questions.get()
    bad = student_client.post(f"/api/v1/courses/questions/{question.pk}/answer/", {"response": ["Z99.999"]},
                              content_type="application/json")
    assert bad.status_code == 400 and "not a code" in bad.json()["response"][0]
    ok = student_client.post(f"/api/v1/courses/questions/{question.pk}/answer/", {"response": ["e11.9"]},
                             content_type="application/json")
    assert ok.status_code == 201
    assert ok.json()["is_correct"] is True and ok.json()["expected"] == ["E11.9"]
    garbage = student_client.post(f"/api/v1/courses/questions/{question.pk}/answer/", {"response": "nope"},
                                  content_type="application/json")
    assert garbage.status_code == 400


def test_mass_assignment_of_a_score_is_ignored(student_client, word_parts_lesson):
    question = word_parts_lesson.questions.get(position=0)
    response = student_client.post(f"/api/v1/courses/questions/{question.pk}/answer/",
                                   {"response": _ids(question, "Removal"), "score": 1, "is_correct": True},
                                   content_type="application/json")
    assert response.status_code == 201 and response.json()["score"] == 0


def test_lesson_without_quiz_is_marked_complete_by_the_student(student_client, student, program):
    lesson = program.modules.get(slug="terminology").lessons.get(slug="reading-only")
    response = student_client.post(f"/courses/lessons/{lesson.pk}/complete/")
    assert response.status_code == 302
    assert LessonProgress.objects.get(student=student, lesson=lesson).completed_at is not None
