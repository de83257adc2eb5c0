"""Plain records every parser produces and the loader consumes (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass, field

KIND_CHAPTER = "chapter"
KIND_BLOCK = "block"
KIND_CATEGORY = "category"
KIND_CODE = "code"


class CodeSetFormatError(ValueError):
    """The file is not a valid code-set file of the expected kind. The message is shown to the admin."""


@dataclass(slots=True)
class CodeRecord:
    """One code or header row, in tabular order."""

    code: str
    display_code: str
    long_title: str
    kind: str = KIND_CODE
    short_title: str = ""
    billable: bool = False
    parent_code: str = ""
    chapter: str = ""
    depth: int = 0
    notes: dict = field(default_factory=dict)


@dataclass(slots=True)
class ParsedCodeSet:
    """The whole content of one release, validated, ready to load."""

    system: str
    records: list[CodeRecord]
    warnings: list[str] = field(default_factory=list)

    @property
    def billable_count(self) -> int:
        return sum(1 for record in self.records if record.billable)

    @property
    def header_count(self) -> int:
        return sum(1 for record in self.records if not record.billable)


def dotted_icd(code: str) -> str:
    """E1140 -> E11.40 (ICD-10-CM codes carry a dot after the third character)."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def validate_records(parsed: ParsedCodeSet, *, max_code: int = 16, max_display: int = 20) -> None:
    """Check what the database will insist on, before anything is written."""
    if not parsed.records:
        raise CodeSetFormatError("The file contains no codes.")
    if not any(record.billable for record in parsed.records):
        raise CodeSetFormatError("The file contains no billable codes.")
    seen: set[str] = set()
    for record in parsed.records:
        if not record.code or len(record.code) > max_code or len(record.display_code) > max_display:
            raise CodeSetFormatError(f"Code {record.code!r} is empty or too long.")
        if record.code in seen:
            raise CodeSetFormatError(f"Code {record.display_code} appears twice in the file.")
        seen.add(record.code)
        if not record.long_title.strip():
            raise CodeSetFormatError(f"Code {record.display_code} has no title.")
    for record in parsed.records:
        if record.parent_code and record.parent_code not in seen:
            raise CodeSetFormatError(f"Code {record.display_code} names a parent ({record.parent_code}) that is not in the file.")
