"""JSON from users (API bodies, uploaded manifests), read with a bound on nesting.

Python's JSON reader recurses once per level: ``[[[[…]]]]`` a few thousand levels deep
raises RecursionError, which no ``except ValueError`` catches, so the request ends in a 500.
Here that becomes a ValueError with a clear message, and anything nested deeper than
MAX_JSON_DEPTH is refused too, so no later recursive step (a serializer, json.dumps into
a JSONField) can hit the interpreter's limit. Pure: no Django imports.
"""

from __future__ import annotations

import json
from typing import Any

# Real payloads nest a handful of levels (a course manifest about six); 64 leaves ample room.
MAX_JSON_DEPTH = 64
TOO_DEEP_MESSAGE = f"JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels of lists or objects)."


class JSONTooDeep(ValueError):
    """The document nests lists or objects deeper than the limit."""

    def __init__(self, message: str = TOO_DEEP_MESSAGE):
        super().__init__(message)


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``value`` nests lists/dicts more than ``limit`` levels; walks without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def check_json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> Any:
    """Return ``value`` unchanged, or raise JSONTooDeep."""
    if json_depth_exceeds(value, limit):
        raise JSONTooDeep()
    return value


def loads_untrusted(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH, **kwargs: Any) -> Any:
    """``json.loads`` for input from outside: JSONDecodeError as usual, JSONTooDeep when nested too deeply."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise JSONTooDeep() from None
    return check_json_depth(value, max_depth)
