"""The demo cases load verified: the demo author sends each published case for review and the demo reviewer
(a second instructor) verifies its key, through the same audited steps an instructor takes."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import User

from .models import Case, ReviewStatus
from .services.case_review import case_review_request, case_verify

REVIEWER_USERNAME = "reviewer"
NOTE = ("Demo content: key checked line by line against the FY2026 ICD-10-CM Tabular and guidelines and the "
        "demo CPT/HCPCS set.")


def demo_cases_verify(*, slugs: list[str], author: User | None) -> tuple[int, list[tuple[str, list[str]]]]:
    """Verify every published demo case that is not verified yet: (verified now, refusals by slug).

    A second run finds nothing to do in one query.
    """
    reviewer = User.objects.filter(username=REVIEWER_USERNAME, is_active=True).first()
    if reviewer is None:
        return 0, []
    pending = list(Case.objects.filter(slug__in=slugs, is_published=True).exclude(review_status=ReviewStatus.VERIFIED)
                   .select_related("current_key"))
    verified, refused = 0, []
    for case in pending:
        try:
            if case.review_status == ReviewStatus.DRAFT:
                case = case_review_request(actor=author, case=case, note="Demo content")
            case_verify(actor=reviewer, case=case, note=NOTE)
        except ValidationError as exc:
            refused.append((case.slug, exc.messages))
        else:
            verified += 1
    return verified, refused
