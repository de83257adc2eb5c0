"""Warnings for text that looks like real patient identifiers (training charts are synthetic).

Identifiers are written many ways in real charts (``D.O.B.``, ``born on``, ``Birthdate``,
``SSN 123 45 6789``, ``Acct# …``), so the labels are matched loosely. A bare number is only
flagged when its shape is unmistakable (``123-45-6789``); otherwise a label must precede it,
which keeps ordinary clinical text (ages, doses, codes, weeks of gestation) clean.
"""

from __future__ import annotations

import re

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_FULL_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"  # 04/12/1961, 4-12-61, 04.12.1961
    r"|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"  # 1961-04-12
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # April 12, 1961
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}})"  # 12 April 1961
)
_DOB_LABEL = r"(?:D\.?\s?O\.?\s?B\b\.?|date\s+of\s+birth|birth\s*-?\s*date|birthday|born(?:\s+on)?)"
# "number", "no.", "num", "#" after a label, in any of the ways people type them.
_NUMBER_WORD = r"(?:\s*(?:number|num\b\.?|no\b\.?|\#))?"
# An identifier after a label: letters, digits and dashes, with at least one digit.
_ID_VALUE = r"(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{3,}"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Social Security number", re.compile(
        r"\b\d{3}-\d{2}-\d{4}\b"
        r"|\b(?:SSN|S\.S\.N\b\.?|SS\#|social\s+security" + _NUMBER_WORD + r")\s*[:#]?\s*\d{3}[-.\s]?\d{2}[-.\s]?\d{4}\b",
        re.I)),
    ("a phone number", re.compile(r"(?:\(\d{3}\)\s*|\b\d{3}[-.\s])\d{3}[-.\s]\d{4}\b")),
    ("an e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    ("a medical record number", re.compile(
        r"\b(?:MRN|M\.R\.N\b\.?|med(?:ical)?\.?\s+rec(?:ord)?\b\.?" + _NUMBER_WORD + r"|record\s*(?:number|no\b\.?|\#))"
        r"\s*[:#]?\s*" + _ID_VALUE,
        re.I)),
    ("an account number", re.compile(
        r"\b(?:acct\b\.?" + _NUMBER_WORD + r"|account\s*(?:number|num\b\.?|no\b\.?|\#|:))\s*[:#]?\s*" + _ID_VALUE,
        re.I)),
    ("a full date of birth", re.compile(rf"\b{_DOB_LABEL}\s*[:#=-]?\s*{_FULL_DATE}", re.I)),
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
