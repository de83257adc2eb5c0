"""No mass assignment (property 10): every write endpoint reads only the fields it declares.

Each API view names its input in a nested InputSerializer (plain serializers, never model
serializers that would follow the model). This test walks every API route, collects the input
fields of each write method and fails if any of them names a field a client must never set.
Behavioural tests beside each endpoint post such fields and check nothing changed
(exercises/test_security.py, certification/test_api.py, courses/test_quiz.py,
reliability/test_object_access_matrix.py).
"""

from __future__ import annotations

import inspect
import re
import sys

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.views import APIView

PRIVILEGED = {
    "score", "final_score", "percent", "student", "student_id", "user", "user_id", "is_staff", "is_superuser", "role",
    "answer_key", "key", "key_id", "graded_by", "author", "actor", "deadline", "status", "is_correct", "correct",
    "rationale", "cohort_id", "instructor",
}


def _api_views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
            if view_class is not None and issubclass(view_class, APIView) and prefix.startswith("api/v1/"):
                yield prefix + str(entry.pattern), view_class


def _write_views():
    found = []
    for route, view_class in _api_views(get_resolver().url_patterns):
        writes = [m for m in ("post", "put", "patch") if hasattr(view_class, m)]
        if writes:
            found.append((route, view_class, writes))
    return found


READS_BODY = re.compile(r"([A-Za-z_][\w.]*)\(data=request\.data")


def _input_serializers(view_class, methods) -> list[type] | None:
    """The serializer classes each write method feeds the request body to; None if one reads it another way."""
    found = []
    module = sys.modules[view_class.__module__]
    for method in methods:
        source = inspect.getsource(getattr(view_class, method))
        # "data = request.data" read first (e.g. to check an upload's size), then given to a serializer.
        source = source.replace("data = request.data", "").replace("(data=data)", "(data=request.data)")
        names = READS_BODY.findall(source)
        if "request.data" in READS_BODY.sub("", source):
            return None
        for name in names:
            owner, _, attribute = name.rpartition(".")
            found.append(getattr(view_class, attribute) if owner == "self" else getattr(module, name))
    return found


def test_there_are_write_endpoints_to_check():
    routes = {route for route, _, _ in _write_views()}
    assert len(routes) >= 8, routes


def test_every_write_endpoint_reads_its_body_through_plain_serializers_without_privileged_fields():
    problems = []
    for route, view_class, methods in _write_views():
        input_classes = _input_serializers(view_class, methods)
        if input_classes is None:
            problems.append(f"{route}: reads the request body without a serializer")
            continue
        for input_class in input_classes:
            if issubclass(input_class, serializers.ModelSerializer):
                problems.append(f"{route}: {input_class.__name__} follows a model")
            leaked = set(input_class().fields) & PRIVILEGED
            if leaked:
                problems.append(f"{route}: {input_class.__name__} accepts {sorted(leaked)}")
    assert problems == []
