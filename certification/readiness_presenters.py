"""What the readiness page and the student's home dashboard show, arranged for reading.

The readiness page carries the detail (per-credential predictions, mastery, study next, trend, pace). The home
dashboard shows a short summary and links to it, so the two pages do not repeat each other. When the evidence is
too thin for a prediction, the credentials share one summary card instead of one identical card each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .domains import domain_label
from .models import AttemptStatus, ExamAttempt, Readiness, StudentDomainRollup

THIN_PRACTISE_SHOWN = 5


@dataclass(frozen=True)
class LegendItem:
    tone: str  # css suffix of the bar: strong, mid, weak
    label: str
    meaning: str


def readiness_groups(readiness: Sequence[Readiness]) -> dict:
    """Credentials with a prediction (a card each) apart from those without (one summary card together)."""
    confident = [r for r in readiness if r.enough_evidence]
    thin = [r for r in readiness if not r.enough_evidence]
    practise: list[str] = []
    for r in thin:
        for domain in r.practise or ():
            label = domain_label(domain)
            if label not in practise:
                practise.append(label)
    return {
        "readiness_confident": confident,
        "readiness_thin": thin,
        "thin_practise": practise[:THIN_PRACTISE_SHOWN],
        "thin_practise_more": max(len(practise) - THIN_PRACTISE_SHOWN, 0),
    }


def mastery_legend(pass_percent: float | int | None) -> list[LegendItem]:
    """The colours of the mastery bars, as the dashboard's ``_tone`` assigns them."""
    mark = f"{pass_percent:.0f}%" if pass_percent is not None else "the pass mark"
    return [
        LegendItem("strong", "Green", f"above the pass mark ({mark}) even at the low end of the 90% range"),
        LegendItem("mid", "Blue", f"above the pass mark ({mark}), but the range still reaches below it"),
        LegendItem("weak", "Red", f"below the pass mark ({mark}): practise this domain"),
        LegendItem("unpractised", "Grey", "not practised yet: the estimate is where students usually start"),
    ]


def student_home_summary(*, student) -> dict:
    """The short readiness summary on the student's home dashboard (three queries)."""
    from .dashboards import _readiness_words

    readiness = [
        _readiness_words(r)
        for r in Readiness.objects.filter(student=student).select_related("blueprint").order_by("blueprint__name")
    ]
    has_evidence = StudentDomainRollup.objects.filter(student=student, evidence_count__gt=0).exists()
    open_attempts = list(
        ExamAttempt.objects.filter(student=student, status=AttemptStatus.IN_PROGRESS).select_related("blueprint")
    )
    return {"readiness": readiness, "has_evidence": has_evidence, "open_attempts": open_attempts,
            **readiness_groups(readiness)}
