"""Age and sex edits for ICD-10-CM codes, as data.

The Tabular does not carry these; payers' edit tables (e.g. the Medicare Code Editor) do. This
short list covers the common teaching cases; extend it here (verify against the current MCE).
Each row: (first code or category, last category, sex or None, minimum age, maximum age).
"""

from __future__ import annotations

DEMOGRAPHIC_EDITS: tuple[tuple[str, str, str | None, int | None, int | None], ...] = (
    ("O00", "O9A", "F", 9, 64),  # pregnancy, childbirth and the puerperium
    ("Z33", "Z36", "F", 9, 64),  # pregnant state, supervision, antenatal screening
    ("Z3A", "Z3A", "F", 9, 64),  # weeks of gestation
    ("Z37", "Z37", "F", 9, 64),  # outcome of delivery
    ("Z39", "Z39", "F", 9, 64),  # postpartum care
    ("N70", "N98", "F", None, None),  # female genital organs
    ("C51", "C58", "F", None, None),
    ("D06", "D06", "F", None, None),
    ("D25", "D28", "F", None, None),
    ("R87", "R87", "F", None, None),
    ("N40", "N53", "M", None, None),  # male genital organs
    ("C60", "C63", "M", None, None),
    ("D29", "D29", "M", None, None),
    ("D40", "D40", "M", None, None),
    ("R86", "R86", "M", None, None),
    ("Z38", "Z38", None, 0, 0),  # liveborn infant: newborn record only
    ("Z001", "Z001", None, 0, 17),  # child health examination
    ("Z000", "Z000", None, 15, None),  # general adult examination
)


def demographic_edit(code: str) -> tuple[str | None, int | None, int | None]:
    """(sex, min_age, max_age) for a code without dot; (None, None, None) when unrestricted."""
    category = code[:3]
    sex: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    for lo, hi, row_sex, row_min, row_max in DEMOGRAPHIC_EDITS:
        if len(lo) > 3:
            if not code.startswith(lo):
                continue
        elif not (lo <= category <= hi):
            continue
        sex = sex or row_sex
        min_age = row_min if min_age is None else min_age
        max_age = row_max if max_age is None else max_age
    return sex, min_age, max_age
