"""Bounded typo tolerance over the index vocabulary (no Django).

A symmetric-delete table (every vocabulary word and each of its one-letter
deletions, kept as sorted hashes) finds candidates for a misspelt query word in
a few binary searches; each candidate is then checked with an edit distance that stops as
soon as the bound is exceeded. Work per query word is fixed by its length.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence
from hashlib import blake2b

from .packed import UINT32, UINT64

MIN_FUZZY_LENGTH = 4


def max_edits(word: str) -> int:
    """How many edits a word of this length may carry: 1 up to 7 letters, 2 beyond."""
    if len(word) < MIN_FUZZY_LENGTH:
        return 0
    return 1 if len(word) <= 7 else 2


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str, bound: int) -> int:
    """Optimal-string-alignment distance (transpositions count one); bound + 1 once exceeded."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        row_min = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1]


def key_hash(text: str) -> int:
    """A 64-bit hash of a word or deletion that is the same in every process (``hash()`` is salted)."""
    return int.from_bytes(blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


class FuzzyVocabulary:
    """Maps a misspelt word to vocabulary word ids within a small edit distance.

    The symmetric-delete table is two flat arrays: the sorted 64-bit hashes of every
    key and, alongside, the id of the word each key came from. A hash collision
    only adds a candidate, which the edit distance then rejects.
    """

    __slots__ = ("hashes", "word_ids", "_vocabulary")

    def __init__(self, vocabulary: Sequence[str], *, hashes=None, word_ids=None) -> None:
        self._vocabulary = vocabulary
        if hashes is None or word_ids is None:
            pairs = sorted(
                (key_hash(key), word_id)
                for word_id, word in enumerate(vocabulary)
                if len(word) >= MIN_FUZZY_LENGTH and not word.isdigit()
                for key in _deletes(word) | {word}
            )
            hashes = array(UINT64, (key for key, _ in pairs))
            word_ids = array(UINT32, (word_id for _, word_id in pairs))
        self.hashes = hashes
        self.word_ids = word_ids

    def lookup(self, word: str, limit: int = 8) -> list[int]:
        """Vocabulary ids within the allowed distance, closest first (ties by id, so stable)."""
        bound = max_edits(word)
        if not bound:
            return []
        hashes, word_ids = self.hashes, self.word_ids
        size = len(hashes)
        candidates: set[int] = set()
        for key in _deletes(word) | {word}:
            wanted = key_hash(key)
            position = bisect_left(hashes, wanted)
            while position < size and hashes[position] == wanted:
                candidates.add(word_ids[position])
                position += 1
        scored = []
        for word_id in candidates:
            distance = edit_distance(word, self._vocabulary[word_id], bound)
            if 0 < distance <= bound:
                scored.append((distance, word_id))
        scored.sort()
        return [word_id for _, word_id in scored[:limit]]
