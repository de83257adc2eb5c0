"""Built-in credential blueprints as data (pure Python, no Django).

Exam facts come from secondary sources: every blueprint carries ``verify`` notes and is
stored in the database as editable rows, so a school can correct a weight or a count
without a code change. Domain weights are relative shares of the questions.
"""

from __future__ import annotations

# Seconds after the deadline during which an answer still counts: absorbs network latency
# on a save sent just before time runs out. Overridable with settings.CERTIFICATION_ANSWER_GRACE_SECONDS.
ANSWER_GRACE_SECONDS = 30

BUILTIN_BLUEPRINTS: list[dict] = [
    {
        "slug": "cpc",
        "credential": "CPC",
        "name": "CPC practice exam",
        "description": "Professional-fee coding across the CPT sections, ICD-10-CM and HCPCS Level II. Open code books.",
        "question_count": 100,
        "time_limit_minutes": 240,
        "pass_percent": 70,
        "verify": (
            "verify: 100 multiple-choice questions, 4 hours, 70% to pass (AAPC). The domain weights below are our "
            "reading of the published content outline (about 17 areas) and must be checked against the current "
            "AAPC candidate handbook."
        ),
        "weights": {
            "surgery-integumentary": 6,
            "surgery-musculoskeletal": 8,
            "surgery-cardiopulmonary": 7,
            "surgery-digestive": 8,
            "surgery-genitourinary": 6,
            "surgery-nervous-sensory": 5,
            "em": 10,
            "anesthesia": 4,
            "radiology": 6,
            "pathology-lab": 6,
            "medicine": 6,
            "medical-terminology": 3,
            "anatomy": 3,
            "icd10cm": 10,
            "hcpcs": 4,
            "coding-guidelines": 5,
            "compliance": 3,
        },
    },
    {
        "slug": "ccs",
        "credential": "CCS",
        "name": "CCS practice exam",
        "description": "Hospital coding: multiple choice plus case scenarios (inpatient and outpatient records).",
        "question_count": 97,
        "time_limit_minutes": 240,
        "pass_percent": 70,
        "verify": (
            "verify: the real exam has 107 questions (97 scored, 10 unscored pretest), 4 hours, multiple choice and "
            "case scenarios, pass at a scaled 300 (AHIMA). Practice uses the 97 scored items and 70% as a stand-in "
            "for the scaled pass mark. Domain weights are our estimate."
        ),
        "weights": {
            "inpatient-coding": 16,
            "icd10cm": 16,
            "icd10pcs": 12,
            "coding-guidelines": 12,
            "compliance": 9,
            "reimbursement": 9,
            "anatomy": 4,
            "medical-terminology": 3,
            "surgery-cardiopulmonary": 3,
            "surgery-digestive": 3,
            "surgery-musculoskeletal": 2,
            "em": 3,
            "radiology": 2,
            "pathology-lab": 2,
            "medicine": 2,
            "hcpcs": 2,
        },
    },
    {
        "slug": "cca",
        "credential": "CCA",
        "name": "CCA practice exam",
        "description": "Entry-level coding across settings: diagnosis and procedure coding, documentation, compliance.",
        "question_count": 90,
        "time_limit_minutes": 120,
        "pass_percent": 70,
        "verify": (
            "verify: the real exam has 105 questions (90 scored, 15 pretest), 2 hours, pass at a scaled 300 on "
            "100-400 (AHIMA). Practice uses the 90 scored items and 70% as a stand-in. Domain weights are our estimate."
        ),
        "weights": {
            "icd10cm": 16,
            "icd10pcs": 6,
            "coding-guidelines": 11,
            "em": 7,
            "medical-terminology": 7,
            "anatomy": 7,
            "compliance": 9,
            "reimbursement": 9,
            "hcpcs": 5,
            "inpatient-coding": 6,
            "surgery-musculoskeletal": 3,
            "surgery-digestive": 3,
            "surgery-integumentary": 3,
            "radiology": 3,
            "pathology-lab": 3,
            "medicine": 2,
        },
    },
]

CPC_WEIGHTS: dict[str, float] = {d: float(w) for d, w in BUILTIN_BLUEPRINTS[0]["weights"].items()}
