from __future__ import annotations

import pytest

from tests.factories import CodeFactory, ReleaseFactory

from .factories import CaseFactory, make_key

SENTINEL_RATIONALE = "SENTINEL-RATIONALE-7f3a"
SENTINEL_GUIDELINE = "SENTINEL-GL-91"


@pytest.fixture
def release(db):
    """A tiny ICD-10-CM release with the rows the tests need (codes stored without dots)."""
    rel = ReleaseFactory(label="FY2026-T", is_current=True)
    rows = [
        ("E11", "Type 2 diabetes mellitus", False, {"excludes1": ["type 1 diabetes mellitus (E10.-)"]}),
        ("E119", "Type 2 diabetes mellitus without complications", True, {}),
        ("E1165", "Type 2 diabetes mellitus with hyperglycemia", True, {}),
        ("E116", "Type 2 diabetes mellitus with other specified complications", False, {}),
        ("E10", "Type 1 diabetes mellitus", False, {"excludes1": ["type 2 diabetes mellitus (E11.-)"]}),
        ("E109", "Type 1 diabetes mellitus without complications", True, {}),
        ("I10", "Essential (primary) hypertension", True, {}),
        ("I21", "Acute myocardial infarction", False, {}),
        ("I214", "Non-ST elevation (NSTEMI) myocardial infarction", True, {}),
        ("G63", "Polyneuropathy in diseases classified elsewhere", True, {"code_first": ["amyloidosis (E85.-)"]}),
        ("S52", "Fracture of forearm", False, {"seven_chr": {"A": "initial encounter for closed fracture"}}),
        ("S525", "Fracture of lower end of radius", False, {}),
        ("S5252", "Torus fracture of lower end of radius", False, {}),
        ("S52521", "Torus fracture of lower end of right radius", False, {}),
        ("S52521A", "Torus fracture of lower end of right radius, initial encounter", True, {}),
        ("S52522A", "Torus fracture of lower end of left radius, initial encounter", True, {}),
        ("T15", "Foreign body on external eye", False, {"seven_chr": {"A": "initial encounter"}}),
        ("T150", "Foreign body in cornea", False, {}),
        ("T1501", "Foreign body in cornea, right eye", False, {}),
        ("T1501XA", "Foreign body in cornea, right eye, initial encounter", True, {}),
        ("O80", "Encounter for full-term uncomplicated delivery", True, {}),
        ("N40", "Benign prostatic hyperplasia", False, {}),
        ("N400", "Benign prostatic hyperplasia without lower urinary tract symptoms", True, {}),
        ("Z794", "Long term (current) use of insulin", True, {}),
    ]
    for code, title, billable, notes in rows:
        CodeFactory(release=rel, code=code, long_title=title, billable=billable, notes=notes,
                    kind="code" if billable else "category")
    return rel


@pytest.fixture
def case(db, release, instructor):
    c = CaseFactory(title="Chest pain admission", slug="chest-pain", icd10cm_release=release, patient_age=64,
                    patient_sex="M", author=instructor,
                    documents=[("ED note", "64-year-old man with chest pain. **NSTEMI** confirmed.")])
    make_key(c, [
        {"role": "principal", "code": "I214", "rationale": SENTINEL_RATIONALE, "guideline_refs": SENTINEL_GUIDELINE},
        {"role": "secondary", "code": "E1165", "rationale": "Hyperglycemia documented."},
        {"role": "secondary", "code": "I10"},
        {"role": "secondary", "code": "Z794", "optional": True},
        {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]},
    ])
    return c


PERFECT = [
    {"role": "principal", "code": "I21.4"},
    {"role": "secondary", "code": "e11.65"},
    {"role": "secondary", "code": "I10"},
    {"role": "procedure", "system": "cpt", "code": "93458", "modifiers": ["26"]},
]


@pytest.fixture
def perfect_lines():
    return [dict(line) for line in PERFECT]


@pytest.fixture(autouse=True)
def _no_readiness_rollups(monkeypatch):
    """Evidence rows are written for real; the readiness rollup they trigger is certification's concern."""
    import certification.services as certification_services

    if hasattr(certification_services, "_queue_rollup"):
        monkeypatch.setattr(certification_services, "_queue_rollup", lambda student_id: None)
