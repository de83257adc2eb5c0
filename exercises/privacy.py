"""Warnings for text that looks like real patient identifiers (training charts are synthetic)."""

from __future__ import annotations

import re

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Social Security number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("a phone number", re.compile(r"(?:\(\d{3}\)\s*|\b\d{3}[-.\s])\d{3}[-.\s]\d{4}\b")),
    ("an e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    ("a medical record number", re.compile(r"\b(?:MRN|medical record(?: number| no\.?)?|record #)\s*[:#]?\s*[A-Z0-9-]{4,}", re.I)),
    ("a full date of birth", re.compile(
        r"\b(?:DOB|date of birth|born)\s*[:\-]?\s*(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
        r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4})", re.I)),
)


def privacy_warnings(text: str, *, where: str = "") -> list[str]:
    """One message per kind of identifier-like pattern found."""
    found: list[str] = []
    for label, pattern in PATTERNS:
        match = pattern.search(text or "")
        if match:
            place = f" in {where}" if where else ""
            found.append(f"Something{place} looks like {label} (\u201c{match.group(0)[:40]}\u201d). "
                         "Charts must be synthetic: remove real identifiers.")
    return found
