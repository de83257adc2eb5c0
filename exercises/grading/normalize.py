"""Input clean-up: codes in any case, with or without dots and spaces; modifiers; units."""

from __future__ import annotations

import re
from functools import lru_cache

from .types import CPT, HCPCS, ICD10CM, ICD10PCS

_STRIP = str.maketrans("", "", ". \t\r\n-")
_SHAPES = {
    ICD10CM: re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$"),
    CPT: re.compile(r"^[0-9]{4}[0-9FTU]$"),
    HCPCS: re.compile(r"^[A-Z][0-9]{4}$"),
    ICD10PCS: re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),  # 7 axes; no I or O
}
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


@lru_cache(maxsize=65536)
def normalize_code_text(raw: str) -> str:
    """normalize_code for a value already known to be a string (the grading loop's common case)."""
    return raw.upper().translate(_STRIP)[:16]


def normalize_code(raw: object) -> str:
    """'e11.9 ' -> 'E119'. Dots, spaces and dashes are removed; letters are upper-cased."""
    if raw is None:
        return ""
    return normalize_code_text(raw if isinstance(raw, str) else str(raw))


def display_code(code: str, system: str = ICD10CM) -> str:
    """'E119' -> 'E11.9' for ICD-10-CM; other systems have no dot."""
    if system == ICD10CM and len(code) > 3:
        return f"{code[:3]}.{code[3:]}"
    return code


@lru_cache(maxsize=65536)
def code_shape_ok(code: str, system: str) -> bool:
    shape = _SHAPES.get(system)
    return bool(shape.match(code)) if shape else bool(code)


def normalize_modifiers(raw: object) -> tuple[str, ...]:
    """'25, lt' / ['25','LT'] -> ('25', 'LT'): upper case, de-duplicated, order kept."""
    if not raw:
        return ()
    if isinstance(raw, tuple):
        return _normalize_modifier_tuple(raw)
    return _normalize_modifiers(raw)


@lru_cache(maxsize=4096)
def _normalize_modifier_tuple(raw: tuple) -> tuple[str, ...]:
    return _normalize_modifiers(raw)


def _normalize_modifiers(raw: object) -> tuple[str, ...]:
    items = re.split(r"[\s,;/]+", raw) if isinstance(raw, str) else list(raw)
    seen: list[str] = []
    for item in items:
        mod = str(item).strip().upper()
        if mod and mod not in seen:
            seen.append(mod[:4])
    return tuple(seen)


def modifier_shape_ok(modifier: str) -> bool:
    return bool(_MODIFIER.match(modifier))


def normalize_units(raw: object) -> int | None:
    """Units as a positive integer; None when the value is not one."""
    if type(raw) is int:
        return raw if 1 <= raw <= 999 else None
    if raw is None or raw == "":
        return 1
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= 999 else None
