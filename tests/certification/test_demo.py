"""The demo bank and demo loader: enough original questions, valid codes, idempotent and fast."""

from __future__ import annotations

import re
import time

import pytest

from certification.models import Blueprint, Choice, Question, ReadinessSnapshot
from certification.services.bank import DEMO_BANK_DIR, BankFormatError, bank_load, bank_read
from tests.factories import StudentFactory

ICD10CM_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def demo_questions():
    questions, _ = bank_read(DEMO_BANK_DIR.glob("*.yaml"))
    return questions


def test_the_demo_bank_is_big_enough_and_covers_every_cpc_domain():
    from certification.blueprint_data import CPC_WEIGHTS

    questions = demo_questions()
    assert len(questions) >= 150
    domains = {q["domain"] for q in questions}
    assert set(CPC_WEIGHTS) <= domains
    counts = {d: sum(1 for q in questions if q["domain"] == d) for d in CPC_WEIGHTS}
    assert min(counts.values()) >= 5
    assert all(q["rationale"] for q in questions)
    # Keys are shuffled so the answer is not always the first choice.
    first_is_key = sum(1 for q in questions if q["choices"] and q["choices"][0][1])
    assert first_is_key < len(questions) * 0.5


def test_no_cpt_descriptor_style_or_patient_identifiers_in_the_bank():
    text = " ".join(q["stem"] + " " + q["rationale"] for q in demo_questions())
    assert not re.search(r"\b\d{3}-\d{2}-\d{4}\b", text)  # SSN-like
    assert not re.search(r"\b\d{3}[-.]\d{3}[-.]\d{4}\b", text)  # phone-like
    assert "@" not in text


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_icd10cm_answer_is_a_billable_fy2026_code():
    import yaml
    import simple_icd_10_cm as cm

    problems = []
    for path in DEMO_BANK_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text()) or {}
        for raw in data.get("questions", []):
            listed = raw.get("icd10cm", [])
            domain = raw.get("domain", data.get("domain"))
            # Code-entry answers of ICD-10-CM questions (HCPCS and PCS answers have their own shapes).
            accepted = [c for c in raw.get("accept", []) if ICD10CM_PATTERN.match(str(c))] if domain == "icd10cm" else []
            for code in [*listed, *accepted]:
                dotted = code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"
                if not (cm.is_valid_item(dotted) and cm.is_leaf(dotted)):
                    problems.append((raw["id"], code))
    assert problems == []


@pytest.mark.django_db
def test_bank_load_is_idempotent():
    first = bank_load()
    assert first["created"] == first["total"] >= 150
    started = time.monotonic()
    second = bank_load()
    assert second == {"created": 0, "updated": 0, "total": first["total"]}
    assert time.monotonic() - started < 2
    assert Question.objects.count() == first["total"]
    assert Choice.objects.filter(is_correct=True).count() >= Question.objects.exclude(kind="code").count()


def test_a_broken_bank_file_is_rejected_before_anything_is_written(tmp_path):
    (tmp_path / "bad.yaml").write_text("domain: em\nquestions:\n  - id: x\n    stem: s\n    choices: [a]\n    answer: 0\n    rationale: r\n")
    with pytest.raises(BankFormatError):
        bank_read([tmp_path / "bad.yaml"])


@pytest.mark.django_db
def test_demo_load_gives_demo_students_history_and_is_idempotent(django_capture_on_commit_callbacks):
    from certification import demo

    for name in ("student", "student2", "student3"):
        StudentFactory(username=name)
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    assert set(Blueprint.objects.filter(is_builtin=True).values_list("slug", flat=True)) == {"cpc", "ccs", "cca"}
    snapshots = ReadinessSnapshot.objects.count()
    assert snapshots > 30
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    assert time.monotonic() - started < 3
    assert ReadinessSnapshot.objects.count() == snapshots


@pytest.mark.django_db
def test_a_release_that_revises_a_code_flags_the_questions_naming_it():
    from codesets.models import ChangeKind, ContentFlag, ReleaseChange
    from codesets.signals import release_ready
    from tests.factories import ReleaseFactory

    from .factories import QuestionFactory

    question = QuestionFactory(stem="Which code fits type 2 diabetes without complications?", kind="code",
                               accepted_codes=["E119"])
    QuestionFactory(stem="Unrelated anatomy question")
    release = ReleaseFactory(label="FY2027", system="icd10cm")
    ReleaseChange.objects.create(release=release, kind=ChangeKind.REVISED, code="E119", display_code="E11.9",
                                 old_title="old", new_title="new")
    release_ready.send(sender=type(release), release=release)
    release_ready.send(sender=type(release), release=release)  # a second signal raises nothing new
    flags = ContentFlag.objects.filter(target_type="certification.question")
    assert list(flags.values_list("target_id", "code")) == [(str(question.pk), "E119")]
