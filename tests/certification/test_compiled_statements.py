"""The autosave's statements compiled once per connection give what the ORM gives, on every call."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from certification.models import AttemptItem
from certification.services.attempts import _locked_item, _locked_item_query, attempt_start
from certification.services.compiled import item_seconds_add, write_fields

pytestmark = pytest.mark.django_db


def snapshot(item: AttemptItem, *, with_question: bool) -> dict:
    values = {f.attname: getattr(item, f.attname) for f in AttemptItem._meta.concrete_fields}
    values["attempt"] = {f.attname: getattr(item.attempt, f.attname) for f in item.attempt._meta.concrete_fields}
    if with_question:
        values["question"] = {f.attname: getattr(item.question, f.attname) for f in item.question._meta.concrete_fields}
    return values


@pytest.mark.parametrize("with_question", [True, False])
def test_the_compiled_locking_read_returns_what_the_orm_returns_for_each_item(student, other_student, short_blueprint, with_question):
    attempts = [attempt_start(student=student, blueprint=short_blueprint),
                attempt_start(student=other_student, blueprint=short_blueprint)]
    AttemptItem.objects.filter(attempt=attempts[0], position=2).update(
        response={"choices": [3, 1]}, answered_at=timezone.now(), revision=4)
    with transaction.atomic():
        for attempt in attempts:
            for position in range(1, attempt.items.count() + 1):
                compiled = _locked_item(attempt_id=attempt.pk, position=position, with_question=with_question)
                expected = _locked_item_query(attempt.pk, position, with_question=with_question).get()
                assert snapshot(compiled, with_question=with_question) == snapshot(expected, with_question=with_question)
                # Related objects come from the same read, as select_related gives them.
                assert AttemptItem.attempt.is_cached(compiled)
                assert AttemptItem.question.is_cached(compiled) is with_question
        assert _locked_item(attempt_id=attempts[0].pk, position=99, with_question=with_question) is None
        assert _locked_item(attempt_id=attempts[0].pk, position=40_000, with_question=with_question) is None
        assert _locked_item(attempt_id=2**70, position=1, with_question=with_question) is None


def test_write_fields_stores_what_save_with_update_fields_stores(student, short_blueprint):
    attempt = attempt_start(student=student, blueprint=short_blueprint)
    item = AttemptItem.objects.get(attempt=attempt, position=1)
    answered = datetime.datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=datetime.timezone.utc)
    item.response, item.revision, item.answered_at, item.flagged = {"text": "E11.9"}, 7, answered, True
    write_fields(item, ("response", "revision", "answered_at"))
    stored = AttemptItem.objects.get(pk=item.pk)
    assert (stored.response, stored.revision, stored.answered_at) == ({"text": "E11.9"}, 7, answered)
    assert stored.flagged is False  # only the named fields are written
    assert AttemptItem.objects.get(attempt=attempt, position=2).revision == 0  # only this row
    item.response = None
    write_fields(item, ("response",))
    assert AttemptItem.objects.get(pk=item.pk).response is None


def test_item_seconds_add_adds_to_one_item_of_one_attempt(student, other_student, short_blueprint):
    mine = attempt_start(student=student, blueprint=short_blueprint)
    theirs = attempt_start(student=other_student, blueprint=short_blueprint)
    item_seconds_add(attempt_id=mine.pk, position=2, seconds=15)
    item_seconds_add(attempt_id=mine.pk, position=2, seconds=5)
    assert AttemptItem.objects.get(attempt=mine, position=2).seconds_spent == 20
    assert set(AttemptItem.objects.exclude(attempt=mine, position=2).values_list("seconds_spent", flat=True)) == {0}
    assert AttemptItem.objects.filter(attempt=theirs, seconds_spent__gt=0).count() == 0
