"""Options of a choice question as a student meets them: stable ids and a shuffled, stored order. Pure.

A question keeps its options in the order they were written (``Question.choices``; the key is
``Question.answer``, indices into that list, derived from the options marked correct). What a
student sees is a permutation of those indices, drawn once per student, attempt and question
and stored with the attempt, so a review shows the options exactly as they were shown. Answers
name options by id (or, for older API clients, by their place in the order shown) and are
mapped back to the written order before grading.
"""

from __future__ import annotations

import hashlib
import random

from .grading import InvalidResponse

CHOICE_ID_PREFIX = "c"


def choice_id(text: str) -> str:
    """A stable, opaque id for an option: the same text gives the same id wherever the option sits."""
    return CHOICE_ID_PREFIX + hashlib.sha256(str(text).strip().encode("utf-8")).hexdigest()[:10]


def order_seed(*, student_id: int, attempt_id: int, question_id: int) -> str:
    return f"quiz:{student_id}:{attempt_id}:{question_id}"


def shuffled_order(count: int, *, seed: str) -> list[int]:
    """A permutation of ``range(count)``, the same every time for the same seed."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def order_checked(order: list | None, count: int) -> list[int]:
    """A stored order made safe for the options a question has now.

    ``None`` (an attempt from before orders were stored) is the written order. Positions that
    no longer exist are dropped and options added since are appended, so an edited question
    still shows every option once.
    """
    if order is None:
        return list(range(count))
    seen: list[int] = []
    for raw in order:
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < count and raw not in seen:
            seen.append(raw)
    return seen + [i for i in range(count) if i not in seen]


def choice_indices(response: list, *, choices: list[str], order: list[int]) -> list[int]:
    """Map a response to indices into ``choices``.

    Each item is an option id (``"c…"``, see ``choice_id``) or, as older clients send, a
    0-based position in the order this student was shown (``order``).
    """
    by_id = {}
    for index, text in enumerate(choices):
        by_id.setdefault(choice_id(text), index)
    picked: list[int] = []
    for raw in response:
        value = str(raw).strip()
        if value in by_id:
            picked.append(by_id[value])
        elif value.isascii() and value.isdigit() and int(value) < len(order):
            picked.append(order[int(value)])
        else:
            raise InvalidResponse("That choice does not exist.")
    return picked
