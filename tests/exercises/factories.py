"""Factories for chart cases, keys and submissions."""

from __future__ import annotations

import factory

from exercises.models import AnswerKey, AnswerKeyLine, Case, CaseDocument


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Case {n}")
    slug = factory.Sequence(lambda n: f"case-{n}")
    summary = "A short synthetic chart."
    is_published = True
    review_status = "verified"  # students see verified cases; tests of the review step set it themselves
    exam_domain = "icd10cm"

    @factory.post_generation
    def documents(obj, create, extracted, **kwargs):
        if create:
            for order, (title, body) in enumerate(extracted or [("Progress note", "Patient seen for follow-up.")]):
                CaseDocument.objects.create(case=obj, title=title, body=body, order=order)


def make_key(case: Case, lines: list[dict], version: int | None = None) -> AnswerKey:
    """lines: dicts of AnswerKeyLine fields (code without dot)."""
    if version is None:
        last = case.answer_keys.order_by("-version").first()
        version = (last.version + 1) if last else 1
    key = AnswerKey.objects.create(case=case, version=version)
    for order, line in enumerate(lines):
        data = {"role": "secondary", "system": "icd10cm", **line}
        AnswerKeyLine.objects.create(key=key, order=order, **data)
    return key
