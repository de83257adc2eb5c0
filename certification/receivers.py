"""Flag exam questions that name a code deleted or revised by a newly ready release."""

from __future__ import annotations

import re

from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse

from codesets.models import ChangeKind, ReleaseChange
from codesets.services import content_flag_raise
from codesets.signals import release_ready

from .models import Question

CODE_PATTERNS = {
    "icd10cm": re.compile(r"\b[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?\b"),
    "hcpcs": re.compile(r"\b[A-CEGHJ-MP-V][0-9]{4}\b"),
    "cpt": re.compile(r"\b[0-9]{4}[0-9FT]\b"),
    "icd10pcs": re.compile(r"\b[0-9A-HJ-NP-Z]{7}\b"),
}


def codes_named(question: Question, system: str) -> set[str]:
    pattern = CODE_PATTERNS.get(system)
    if pattern is None:
        return set()
    text = " ".join([question.stem, *(c.text for c in question.choices.all())])
    found = {m.replace(".", "").upper() for m in pattern.findall(text)}
    found |= {c for c in question.accepted_codes if pattern.fullmatch(c) or pattern.fullmatch(f"{c[:3]}.{c[3:]}")}
    return found


@receiver(release_ready, dispatch_uid="certification.flag_changed_question_codes")
def flag_changed_question_codes(sender, release, **kwargs) -> int:
    changes = {
        c.code: c for c in ReleaseChange.objects.filter(release=release, kind__in=[ChangeKind.DELETED, ChangeKind.REVISED])
    }
    if not changes:
        return 0
    flagged = 0
    for question in Question.objects.active().prefetch_related("choices"):
        for code in sorted(codes_named(question, release.system) & changes.keys()):
            change = changes[code]
            verb = "deleted" if change.kind == ChangeKind.DELETED else "revised"
            try:
                url = reverse("admin:certification_question_change", args=[question.pk])
            except NoReverseMatch:
                url = ""
            content_flag_raise(
                release=release, code=code, change_kind=change.kind, target_type="certification.question",
                target_id=question.pk, target_label=f"Exam question {question.slug} ({change.display_code})",
                target_url=url,
                reason=f"{change.display_code} was {verb} in {release}; check the question, its key and its rationale.",
            )
            flagged += 1
    return flagged
