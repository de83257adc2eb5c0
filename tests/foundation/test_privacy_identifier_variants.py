"""The privacy check catches the ways identifiers are really written, and leaves clinical text alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from exercises.privacy import privacy_warnings

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("D.O.B. 04/12/1961", "full date of birth"),
        ("born on 04/12/1961", "full date of birth"),
        ("Birthdate 1961-04-12", "full date of birth"),
        ("Birth date: 12 April 1961", "full date of birth"),
        ("DOB: 04/12/1961", "full date of birth"),
        ("Date of birth April 12, 1961", "full date of birth"),
        ("SSN 123 45 6789", "Social Security number"),
        ("SSN: 123456789", "Social Security number"),
        ("Social Security No. 123.45.6789", "Social Security number"),
        ("Acct# 99887766", "account number"),
        ("Account No. 4417-2290", "account number"),
        ("Patient account number: A7781234", "account number"),
        ("MRN # 00451287", "medical record number"),
        ("Med. rec. no. 7781234", "medical record number"),
    ],
)
def test_identifier_variants_are_flagged(text, kind):
    warnings = privacy_warnings(f"Pt seen today. {text}. Vitals stable.")
    assert any(kind in w for w in warnings), (text, warnings)


@pytest.mark.parametrize(
    "text",
    [
        "Born at 38 4/7 weeks by repeat cesarean; newborn weight 3.2 kg.",
        "Under the birthday rule the parent whose birthday comes first in the year is primary.",
        "Medical record documentation supports a moderate MDM; MRN not available at triage.",
        "Account reviewed with the patient on 04/12; DOB withheld by request.",
        "BP 142/88, HR 96, Hgb 12.5 g/dL, metformin 500 mg po q12h; seen 2024-03-05.",
        "Z37.0 single live birth; O80; Z3A.39.",
    ],
)
def test_ordinary_clinical_text_is_not_flagged(text):
    assert privacy_warnings(text) == []


def _demo_case_texts() -> list[tuple[str, str]]:
    texts = []
    for path in sorted((REPO / "exercises" / "demo_cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            texts.append((f"{path.name}:{case['slug']}:title", f"{case.get('title', '')}\n{case.get('summary', '')}"))
            for document in case.get("documents", []):
                texts.append((f"{path.name}:{case['slug']}:{document.get('title', '')}", document.get("body", "")))
    return texts


def test_every_demo_case_stays_clean():
    texts = _demo_case_texts()
    assert len(texts) > 20
    flagged = [(where, privacy_warnings(text)) for where, text in texts if privacy_warnings(text)]
    assert flagged == []
