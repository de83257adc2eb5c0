"""Exam domains shared by every kind of evidence (lessons, quizzes, cases, exam items).

Slugs are stable identifiers; content in every app is tagged with them and the
readiness model reports mastery per slug. Blueprints (certification.blueprints)
weight them per credential.
"""

from __future__ import annotations

EXAM_DOMAINS: list[tuple[str, str]] = [
    ("medical-terminology", "Medical terminology"),
    ("anatomy", "Anatomy & physiology"),
    ("icd10cm", "ICD-10-CM diagnosis coding"),
    ("icd10pcs", "ICD-10-PCS procedure coding"),
    ("coding-guidelines", "Coding guidelines & conventions"),
    ("hcpcs", "HCPCS Level II"),
    ("em", "Evaluation & Management"),
    ("anesthesia", "Anesthesia"),
    ("surgery-integumentary", "Surgery: integumentary system"),
    ("surgery-musculoskeletal", "Surgery: musculoskeletal system"),
    ("surgery-cardiopulmonary", "Surgery: respiratory, cardiovascular, hemic & lymphatic"),
    ("surgery-digestive", "Surgery: digestive system"),
    ("surgery-genitourinary", "Surgery: urinary, genital & maternity"),
    ("surgery-nervous-sensory", "Surgery: nervous system, eye & ear"),
    ("radiology", "Radiology"),
    ("pathology-lab", "Pathology & laboratory"),
    ("medicine", "Medicine section"),
    ("compliance", "Compliance & regulatory"),
    ("reimbursement", "Billing & reimbursement"),
    ("inpatient-coding", "Inpatient coding & DRGs"),
]

DOMAIN_LABELS: dict[str, str] = dict(EXAM_DOMAINS)
DOMAIN_CHOICES = EXAM_DOMAINS


def domain_label(slug: str) -> str:
    return DOMAIN_LABELS.get(slug, slug.replace("-", " ").capitalize())

# Short names for narrow places (heat-map columns); the full label goes in a tooltip.
DOMAIN_SHORT_LABELS: dict[str, str] = {
    "medical-terminology": "Terminology",
    "anatomy": "Anatomy",
    "icd10cm": "ICD-10-CM",
    "icd10pcs": "ICD-10-PCS",
    "coding-guidelines": "Guidelines",
    "hcpcs": "HCPCS",
    "em": "E/M",
    "anesthesia": "Anesthesia",
    "surgery-integumentary": "Integumentary",
    "surgery-musculoskeletal": "Musculo­skeletal",
    "surgery-cardiopulmonary": "Cardio­pulmonary",
    "surgery-digestive": "Digestive",
    "surgery-genitourinary": "Genito­urinary",
    "surgery-nervous-sensory": "Nervous, eye, ear",
    "radiology": "Radiology",
    "pathology-lab": "Path & lab",
    "medicine": "Medicine",
    "compliance": "Compliance",
    "reimbursement": "Reimburse­ment",
    "inpatient-coding": "Inpatient",
}


def domain_short_label(slug: str) -> str:
    return DOMAIN_SHORT_LABELS.get(slug, domain_label(slug))
