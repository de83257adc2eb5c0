"""No serializer can start leaking an answer key: explicit fields only, and no key-ish field before submission."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from rest_framework import serializers

API_MODULES = ["exercises.api", "courses.api", "certification.api", "codesets.api", "lookup.api"]

# What a student sees before submitting (or while an exam is open): the case, the lesson's questions, the exam items.
STUDENT_BEFORE_SUBMITTING = [
    "exercises.api:CaseSummarySerializer",
    "exercises.api:CaseDetailSerializer",
    "exercises.api:CaseDocumentSerializer",
    "exercises.api:SubmissionCreatedSerializer",
    "exercises.api:ProviderQueryInputSerializer",
    "exercises.api:ProviderQueryOutputSerializer",
    "courses.api:LessonDetailApi.QuestionSerializer",
    "courses.api:LessonDetailApi.OutputSerializer",
    "certification.api:ItemOutputSerializer",
    "certification.api:ChoiceOutputSerializer",
    "certification.api:AttemptStateSerializer",
]
KEYISH = re.compile(
    r"query_case|(^|_)key(_|$)|answer|rationale|accept|correct|expected|explanation|alternate|guideline|solution",
)


def _serializer_classes():
    """Every serializer class defined in the API modules, nested ones (InputSerializer, OutputSerializer...) included."""
    seen = set()
    stack = [importlib.import_module(name) for name in API_MODULES]
    while stack:
        holder = stack.pop()
        for _, member in inspect.getmembers(holder, inspect.isclass):
            if member in seen or not member.__module__.startswith(tuple(API_MODULES)):
                continue
            seen.add(member)
            stack.append(member)
            if issubclass(member, serializers.BaseSerializer):
                yield member


def _resolve(path: str):
    module, _, name = path.partition(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _fields(serializer_class, prefix: str = ""):
    """(dotted name, source) of every field, nested serializers walked."""
    for name, field in serializer_class().fields.items():
        source = getattr(field, "source", None) or name
        yield prefix + name, source
        nested = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(nested, serializers.Serializer):
            yield from _fields(type(nested), prefix + name + ".")


def test_the_api_modules_define_serializers():
    assert len(list(_serializer_classes())) >= 25


@pytest.mark.parametrize("serializer_class", list(_serializer_classes()), ids=lambda c: c.__qualname__)
def test_no_serializer_takes_every_model_field(serializer_class):
    meta = getattr(serializer_class, "Meta", None)
    assert getattr(meta, "fields", None) != "__all__", f"{serializer_class.__qualname__} uses fields = '__all__'"
    assert not hasattr(meta, "exclude"), f"{serializer_class.__qualname__} uses exclude"


def test_no_api_module_mentions_all_fields_or_exclude():
    for name in API_MODULES:
        source = inspect.getsource(importlib.import_module(name))
        assert not re.search(r"fields\s*=\s*['\"]__all__['\"]", source), name
        assert not re.search(r"^\s*exclude\s*=", source, re.MULTILINE), name


@pytest.mark.parametrize("path", STUDENT_BEFORE_SUBMITTING)
def test_student_case_and_question_serializers_expose_no_key_field(path):
    leaks = [(name, source) for name, source in _fields(_resolve(path))
             if KEYISH.search(name.lower()) or KEYISH.search(source.lower().replace(".", "_"))]
    assert leaks == []


def test_the_key_pattern_catches_the_fields_a_key_is_made_of():
    for name in ("is_query_case", "key", "key_id", "answer", "answer_key", "rationale", "accepted_codes",
                 "correct_choice_ids", "is_correct", "alternates", "guideline_refs", "expected", "explanation"):
        assert KEYISH.search(name), name
    for name in ("slug", "title", "summary", "documents", "stem", "choices", "position", "keyboard"):
        assert not KEYISH.search(name), name
