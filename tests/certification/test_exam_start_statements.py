"""An exam start's statements written once (the open attempt's locking read, the multi-row inserts) do
what the ORM does."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from certification.models import AttemptItem, AttemptStatus, ExamAttempt
from certification.services.attempts import _OPEN_ATTEMPT_READ, _open_attempt_locked, attempt_close, attempt_start
from certification.services.compiled import insert_rows

from .factories import BlueprintFactory

pytestmark = pytest.mark.django_db


def values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def orm_open_attempt(student, blueprint):
    return (ExamAttempt.objects.select_for_update()
            .filter(student=student, blueprint=blueprint, status=AttemptStatus.IN_PROGRESS).first())


def test_the_compiled_open_attempt_read_finds_what_the_orm_finds(student, other_student, short_blueprint):
    other_blueprint = BlueprintFactory(question_count=2, weights={"icd10cm": 1})
    mine = attempt_start(student=student, blueprint=short_blueprint)
    attempt_start(student=other_student, blueprint=short_blueprint)
    attempt_start(student=student, blueprint=other_blueprint)
    with transaction.atomic():
        assert _OPEN_ATTEMPT_READ._prepared("default")[1] is not None  # compiled, not the ORM fallback
        for who, which in [(student, short_blueprint), (other_student, short_blueprint), (student, other_blueprint),
                           (other_student, other_blueprint)]:
            found, expected = _open_attempt_locked(student=who, blueprint=which), orm_open_attempt(who, which)
            assert (found and values(found)) == (expected and values(expected))
        assert _open_attempt_locked(student=student, blueprint=short_blueprint).pk == mine.pk
    attempt_close(attempt_id=mine.pk, reason="submitted")
    with transaction.atomic():
        assert _open_attempt_locked(student=student, blueprint=short_blueprint) is None  # a closed attempt is not open


def test_insert_rows_writes_what_bulk_create_writes(student, short_blueprint):
    attempt = attempt_start(student=student, blueprint=short_blueprint)
    source = list(attempt.items.order_by("position"))
    AttemptItem.objects.filter(attempt=attempt).delete()
    now = timezone.now()
    rows = [{"attempt_id": attempt.pk, "question_id": item.question_id, "position": item.position, "domain": item.domain,
             "choice_order": [3, 1, 2] if i % 2 else None, **({"response": {"text": "E119"}, "answered_at": now}
                                                                  if i == 0 else {})}
            for i, item in enumerate(source)]
    keys = insert_rows(AttemptItem, rows)
    written = {item.pk: item for item in AttemptItem.objects.filter(attempt=attempt)}
    assert list(written) and sorted(written) == sorted(keys)
    # None is SQL NULL, as the ORM writes it, not JSON null.
    assert AttemptItem.objects.filter(attempt=attempt, choice_order__isnull=True).count() == (len(rows) + 1) // 2
    AttemptItem.objects.filter(attempt=attempt).delete()
    orm = AttemptItem.objects.bulk_create([AttemptItem(**row) for row in rows])
    by_orm = {item.position: values(item) for item in AttemptItem.objects.filter(pk__in=[i.pk for i in orm])}
    for key, row in zip(keys, rows):  # keys come back in the order of the rows
        mine = values(written[key])
        assert mine["position"] == row["position"]
        assert {k: v for k, v in mine.items() if k != "id"} == {k: v for k, v in by_orm[row["position"]].items() if k != "id"}


def test_the_draw_reads_the_domain_weights_in_the_blueprints_own_order(db):
    from certification.services.attempts import _domain_weights

    blueprint = BlueprintFactory(question_count=6, weights={"icd10cm": 1, "em": 3, "cpt": 1, "hcpcs": 2})
    fresh = type(blueprint).objects.get(pk=blueprint.pk)
    assert list(_domain_weights(fresh).items()) == list(fresh.domain_weights().items())
    assert list(_domain_weights(fresh)) == ["em", "hcpcs", "cpt", "icd10cm"]
