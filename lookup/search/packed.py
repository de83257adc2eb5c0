"""Compact containers for the search index (no Django).

The index of a full ICD-10-CM release holds about 100,000 rows, 60,000
documents and 600,000 (word, document) pairs. Kept as Python objects (a list of
strings, an array per document) that costs some 70 MB and a million objects the
garbage collector walks; kept as a handful of flat buffers it costs a third of
that, and the buffers can be written to a file and mapped back without copying.

Every buffer here is either an ``array.array`` (while building) or a
``memoryview`` cast to the same type code (when mapped from a snapshot): both
index, slice and ``bisect`` alike.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

# Type codes of the buffers: unsigned 32-bit ids and offsets, 64-bit hashes, bytes.
UINT32 = "I"
UINT64 = "Q"

if array(UINT32).itemsize != 4 or array(UINT64).itemsize != 8:  # pragma: no cover - exotic platforms only
    raise ImportError("the search index needs 32-bit 'I' and 64-bit 'Q' arrays")


class StringTable:
    """An immutable sequence of strings stored as one UTF-8 blob and an array of offsets.

    ``bisect`` works on it (the strings must then be sorted, as row codes are).
    """

    __slots__ = ("blob", "starts")

    def __init__(self, blob, starts) -> None:
        self.blob = memoryview(blob) if not isinstance(blob, memoryview) else blob
        self.starts = starts

    @classmethod
    def from_strings(cls, strings: Iterable[str]) -> StringTable:
        starts = array(UINT32, [0])
        blob = bytearray()
        for text in strings:
            blob += text.encode("utf-8")
            starts.append(len(blob))
        return cls(bytes(blob), starts)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, position: int) -> str:
        size = len(self.starts) - 1
        if position < 0:
            position += size
        if not 0 <= position < size:
            raise IndexError("string table index out of range")
        return str(self.blob[self.starts[position] : self.starts[position + 1]], "utf-8")

    def __iter__(self) -> Iterator[str]:
        blob, starts = self.blob, self.starts
        for position in range(len(starts) - 1):
            yield str(blob[starts[position] : starts[position + 1]], "utf-8")


def offsets_from_counts(counts: Iterable[int]) -> array:
    """[0, c0, c0+c1, ...]: where each group starts in a flat buffer, plus the end."""
    starts = array(UINT32, [0])
    total = 0
    for count in counts:
        total += count
        starts.append(total)
    return starts


def group_by_key(keys, values, key_count: int) -> tuple[array, array]:
    """A flat buffer of ``values`` grouped by ``keys`` (stable: each group keeps the input order) and its offsets."""
    counts = [0] * key_count
    for key in keys:
        counts[key] += 1
    starts = offsets_from_counts(counts)
    cursor = list(starts[:-1])
    grouped = array(UINT32, bytes(4 * len(values)))
    for key, value in zip(keys, values):
        grouped[cursor[key]] = value
        cursor[key] += 1
    return starts, grouped
