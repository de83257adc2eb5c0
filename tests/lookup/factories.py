"""A small ICD-10-CM release with the shapes search and the browser must handle."""

from __future__ import annotations

import datetime

from codesets.models import ChangeKind, Code, CodeKind, CodeSetRelease, ReleaseChange, ReleaseStatus

FRACTURE_7TH = {"A": "initial encounter for closed fracture", "D": "subsequent encounter for closed fracture with routine healing", "S": "sequela"}

# code, title, kind, billable, parent, notes
ROWS = [
    ("4", "Endocrine, nutritional and metabolic diseases (E00-E89)", CodeKind.CHAPTER, False, "", {}),
    ("E08-E13", "Diabetes mellitus (E08-E13)", CodeKind.BLOCK, False, "4", {}),
    ("E10", "Type 1 diabetes mellitus", CodeKind.CATEGORY, False, "E08-E13", {}),
    ("E109", "Type 1 diabetes mellitus without complications", CodeKind.CODE, True, "E10", {}),
    ("E11", "Type 2 diabetes mellitus", CodeKind.CATEGORY, False, "E08-E13", {
        "includes": ["diabetes NOS"],
        "excludes1": ["type 1 diabetes mellitus (E10.-)"],
        "use_additional": ["code to identify control using insulin (Z79.4)"],
    }),
    ("E114", "Type 2 diabetes mellitus with neurological complications", CodeKind.CODE, False, "E11", {}),
    ("E1140", "Type 2 diabetes mellitus with diabetic neuropathy, unspecified", CodeKind.CODE, True, "E114", {}),
    ("E1141", "Type 2 diabetes mellitus with diabetic mononeuropathy", CodeKind.CODE, True, "E114", {}),
    ("E119", "Type 2 diabetes mellitus without complications", CodeKind.CODE, True, "E11", {}),
    ("10", "Diseases of the respiratory system (J00-J99)", CodeKind.CHAPTER, False, "", {}),
    ("J09-J18", "Influenza and pneumonia (J09-J18)", CodeKind.BLOCK, False, "10", {}),
    ("J12", "Viral pneumonia, not elsewhere classified", CodeKind.CATEGORY, False, "J09-J18", {}),
    ("J129", "Viral pneumonia, unspecified", CodeKind.CODE, True, "J12", {}),
    ("J18", "Pneumonia, unspecified organism", CodeKind.CATEGORY, False, "J09-J18", {}),
    ("J189", "Pneumonia, unspecified organism", CodeKind.CODE, True, "J18", {}),
    ("J181", "Lobar pneumonia, unspecified organism", CodeKind.CODE, True, "J18", {}),
    ("9", "Diseases of the circulatory system (I00-I99)", CodeKind.CHAPTER, False, "", {}),
    ("I30-I5A", "Other forms of heart disease (I30-I5A)", CodeKind.BLOCK, False, "9", {}),
    ("I50", "Heart failure", CodeKind.CATEGORY, False, "I30-I5A", {"code_first": ["heart failure due to hypertension (I11.0)"]}),
    ("I509", "Heart failure, unspecified", CodeKind.CODE, True, "I50", {"inclusion_terms": ["Congestive heart failure NOS"]}),
    ("I5020", "Unspecified systolic (congestive) heart failure", CodeKind.CODE, True, "I50", {}),
    ("I20-I25", "Ischemic heart diseases (I20-I25)", CodeKind.BLOCK, False, "9", {}),
    ("I21", "Acute myocardial infarction", CodeKind.CATEGORY, False, "I20-I25", {}),
    ("I219", "Acute myocardial infarction, unspecified", CodeKind.CODE, True, "I21", {}),
    ("19", "Injury, poisoning and certain other consequences of external causes (S00-T88)", CodeKind.CHAPTER, False, "", {}),
    ("S70-S79", "Injuries to the hip and thigh (S70-S79)", CodeKind.BLOCK, False, "19", {}),
    ("S72", "Fracture of femur", CodeKind.CATEGORY, False, "S70-S79", {
        "seven_chr_note": ["The appropriate 7th character is to be added to all codes from category S72"],
        "seven_chr": FRACTURE_7TH,
        "excludes1": ["traumatic amputation of hip and thigh (S78.-)"],
    }),
    ("S720", "Fracture of head and neck of femur", CodeKind.CODE, False, "S72", {}),
    ("S7200", "Fracture of unspecified part of neck of femur", CodeKind.CODE, False, "S720", {
        "inclusion_terms": ["Fracture of hip NOS"],
    }),
    ("S72001", "Fracture of unspecified part of neck of right femur", CodeKind.CODE, False, "S7200", {}),
    ("S72009", "Fracture of unspecified part of neck of unspecified femur", CodeKind.CODE, False, "S7200", {}),
    ("H10", "Conjunctivitis", CodeKind.CATEGORY, False, "", {}),
    ("H109", "Unspecified conjunctivitis", CodeKind.CODE, True, "H10", {}),
]


def _display(code: str) -> str:
    if "-" in code or code.isdigit() or len(code) <= 3:
        return code
    return f"{code[:3]}.{code[3:]}"


def expanded_rows(rows=ROWS):
    """The rows plus 7th-character extensions of the S72 leaves, in tabular order."""
    out = []
    for code, title, kind, billable, parent, notes in rows:
        out.append((code, title, kind, billable, parent, notes))
        if code in ("S72001", "S72009"):
            for char, meaning in FRACTURE_7TH.items():
                out.append((code + char, f"{title}, {meaning}", CodeKind.CODE, True, code, {}))
    return out


def make_release(*, label: str = "FY2026", current: bool = True, effective: datetime.date = datetime.date(2025, 10, 1),
                 skip: tuple[str, ...] = (), titles: dict[str, str] | None = None) -> CodeSetRelease:
    release = CodeSetRelease.objects.create(
        system="icd10cm", label=label, effective_from=effective, status=ReleaseStatus.READY, is_current=current
    )
    chapter = ""
    rows = []
    for order, (code, title, kind, billable, parent, notes) in enumerate(expanded_rows()):
        if kind == CodeKind.CHAPTER:
            chapter = code
        if code in skip:
            continue
        title = (titles or {}).get(code, title)
        rows.append(Code(release=release, code=code, display_code=_display(code), kind=kind, long_title=title,
                         short_title=title[:60], billable=billable, parent_code=parent, chapter=chapter,
                         depth=0, sort_order=order, notes=notes))
    Code.objects.bulk_create(rows)
    release.billable_count = sum(1 for r in rows if r.billable)
    release.header_count = len(rows) - release.billable_count
    release.save()
    return release


def make_history() -> tuple[CodeSetRelease, CodeSetRelease]:
    """FY2025 without E11.41 and with an older J18.9 title; FY2026 (current) adds E11.41 and revises J18.9."""
    old = make_release(label="FY2025", current=False, effective=datetime.date(2024, 10, 1), skip=("E1141",),
                       titles={"J189": "Pneumonia, organism unspecified"})
    new = make_release(label="FY2026", current=True)
    new.previous_release = old
    new.save()
    ReleaseChange.objects.create(release=new, kind=ChangeKind.ADDED, code="E1141", display_code="E11.41", chapter="4",
                                 new_title="Type 2 diabetes mellitus with diabetic mononeuropathy")
    ReleaseChange.objects.create(release=new, kind=ChangeKind.REVISED, code="J189", display_code="J18.9", chapter="10",
                                 old_title="Pneumonia, organism unspecified", new_title="Pneumonia, unspecified organism")
    return old, new
